package dev.trtcompat.fix;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.MappedModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.io.InputStream;
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

  /** Payloads this large are written from their own buffers rather than through protobuf's output buffer. */
  private static final int STREAM_FROM = 64 * 1024;

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

  /**
   * Writes {@code model} to {@code file}, flushed and forced to disk. Large {@code raw_data} payloads go from their
   * buffers straight to the file (a view of the source's mapping is copied once, by the kernel) instead of through
   * protobuf's output buffer and the stream's heap copies: on a 1.5 GB model that was most of the writing's CPU
   * (docs/benchmarks.md). The bytes are protobuf-java's own serialization, fields in the same order, except that a
   * streamed tensor's {@code raw_data} comes after any field numbered above it (any order parses the same).
   */
  static void write(ModelProto model, Path file) throws IOException {
    long size = serializedSize(model);
    if (size > PROTOBUF_LIMIT) {
      throw new UserFacingException(Kind.TOO_LARGE, "fixed_model_too_large",
          "the model's graph is " + size + " bytes even with its initializers' weights in external data;"
              + " ONNX keeps a graph in one protobuf message of at most 2 GiB (large Constant nodes or tensors"
              + " stored in typed fields instead of raw_data stay in the graph)");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.CREATE)) {
      CodedOutputStream out = CodedOutputStream.newInstance(Channels.newOutputStream(ch), 1 << 16);
      if (!model.hasGraph()) {
        model.writeTo(out);
      } else {
        // fields 1-6, the graph (7), then 8 and up: the order protobuf-java writes them in
        model.toBuilder().clearGraph().clearOpsetImport().clearMetadataProps().clearTrainingInfo().clearFunctions()
            .build().writeTo(out);
        out.writeTag(ModelProto.GRAPH_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        GraphProto g = model.getGraph();
        out.writeUInt32NoTag(g.getSerializedSize());
        writeGraph(g, out, ch);
        ModelProto.newBuilder().addAllOpsetImport(model.getOpsetImportList())
            .addAllMetadataProps(model.getMetadataPropsList()).addAllTrainingInfo(model.getTrainingInfoList())
            .addAllFunctions(model.getFunctionsList()).build().writeTo(out);
      }
      out.flush();
      ch.force(true);
    }
  }

  /** The graph's fields in protobuf-java's order (nodes, name, initializers, the rest), large payloads streamed. */
  private static void writeGraph(GraphProto g, CodedOutputStream out, FileChannel ch) throws IOException {
    GraphProto.Builder head = GraphProto.newBuilder().addAllNode(g.getNodeList());
    if (g.hasName()) {
      head.setName(g.getName());
    }
    head.build().writeTo(out);
    for (TensorProto t : g.getInitializerList()) {
      if (t.getRawData().size() < STREAM_FROM) {
        out.writeMessage(GraphProto.INITIALIZER_FIELD_NUMBER, t);
        continue;
      }
      out.writeTag(GraphProto.INITIALIZER_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(t.getSerializedSize());
      t.toBuilder().clearRawData().build().writeTo(out);
      out.writeTag(TensorProto.RAW_DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(t.getRawData().size());
      out.flush(); // the stream is unbuffered: the file position is now the payload's
      ExternalDataWriter.writeAll(t.getRawData(), ch);
    }
    g.toBuilder().clearNode().clearName().clearInitializer().build().writeTo(out);
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
