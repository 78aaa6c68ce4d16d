package dev.trtcompat.fix;

import com.google.protobuf.CodedOutputStream;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.MappedModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reading a model for rewriting and writing the result. The source is parsed by protobuf-java from read-only file
 * mappings with aliasing ({@link MappedModelReader}), so every {@code raw_data} payload stays a view of the page
 * cache: the heap holds the graph's structure, not its weights, and writing streams the payloads back out. Files
 * over protobuf's 2 GiB limit are read the same way; a result over the limit is written with external data
 * ({@link ExternalDataWriter}).
 */
final class ModelFiles {

  /** protobuf-java's message size limit: a single serialized message is at most 2 GiB. */
  static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

  private ModelFiles() {}

  /** The mappings stay valid as long as the returned model is reachable (they are held by its ByteStrings). */
  static ModelProto read(Path file) {
    return MappedModelReader.read(file);
  }

  /**
   * The serialized size of {@code model} in 64 bits: protobuf-java's own {@code getSerializedSize} is an int and
   * overflows for a model over 2 GiB. Exact; each node and initializer is one field of the graph.
   */
  static long serializedSize(ModelProto model) {
    GraphProto g = model.getGraph();
    long graph = g.toBuilder().clearNode().clearInitializer().build().getSerializedSize();
    for (NodeProto n : g.getNodeList()) {
      graph += CodedOutputStream.computeMessageSize(GraphProto.NODE_FIELD_NUMBER, n);
    }
    for (TensorProto t : g.getInitializerList()) {
      graph += CodedOutputStream.computeMessageSize(GraphProto.INITIALIZER_FIELD_NUMBER, t);
    }
    long rest = model.toBuilder().clearGraph().build().getSerializedSize();
    if (!model.hasGraph()) {
      return rest;
    }
    return rest + CodedOutputStream.computeTagSize(ModelProto.GRAPH_FIELD_NUMBER)
        + CodedOutputStream.computeUInt64SizeNoTag(graph) + graph;
  }

  /** Writes {@code model} to {@code file}, flushed and forced to disk. */
  static void write(ModelProto model, Path file) throws IOException {
    long size = serializedSize(model);
    if (size > PROTOBUF_LIMIT) {
      throw new UserFacingException(Kind.TOO_LARGE, "fixed_model_too_large",
          "the fixed model's graph is " + size + " bytes even with its initializers' weights in external data;"
              + " ONNX keeps a graph in one protobuf message of at most 2 GiB (large Constant nodes or tensors"
              + " stored in typed fields instead of raw_data stay in the graph)");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.CREATE)) {
      OutputStream os = Channels.newOutputStream(ch);
      CodedOutputStream out = CodedOutputStream.newInstance(os, 1 << 20);
      model.writeTo(out);
      out.flush();
      os.flush();
      ch.force(true);
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      int r;
      while ((r = in.read(buf)) > 0) {
        md.update(buf, 0, r);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
