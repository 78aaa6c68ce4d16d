package dev.trtcompat.fix;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.InvalidModelException;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reading a model for rewriting and writing the result. The source is parsed by protobuf-java from a
 * read-only file mapping with aliasing, so every {@code raw_data} payload stays a view of the page cache: the
 * heap holds the graph's structure, not its weights, and writing streams the payloads back out.
 */
final class ModelFiles {

  /** protobuf-java's message size limit: a single serialized message is at most 2 GiB. */
  static final long PROTOBUF_LIMIT = Integer.MAX_VALUE;

  private ModelFiles() {}

  /** The mapping stays valid as long as the returned model is reachable (the buffer is held by its ByteStrings). */
  static ModelProto read(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > PROTOBUF_LIMIT) {
        throw new UserFacingException(Kind.TOO_LARGE, "model_too_large_to_fix",
            file.getFileName() + " is " + size + " bytes; fix rewrites models up to 2 GiB stored in one file"
                + " (save larger models with external data: weights in a separate file)");
      }
      MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      // A ByteString over the mapping yields a decoder that treats the buffer as immutable; only then does
      // aliasing hand out slices of it for bytes fields instead of copies.
      CodedInputStream in = UnsafeByteOperations.unsafeWrap(map).newCodedInput();
      in.enableAliasing(true);
      in.setSizeLimit(Integer.MAX_VALUE);
      in.setRecursionLimit(300);
      return ModelProto.parseFrom(in);
    } catch (IOException e) {
      throw new InvalidModelException("'" + file.getFileName() + "' cannot be read for rewriting: " + e.getMessage());
    }
  }

  /** Writes {@code model} to {@code file}, flushed and forced to disk. */
  static void write(ModelProto model, Path file) throws IOException {
    long size = model.getSerializedSize();
    if (size < 0 || size > PROTOBUF_LIMIT) {
      throw new UserFacingException(Kind.TOO_LARGE, "fixed_model_too_large",
          "the fixed model would be over 2 GiB in one file; fix cannot write external data yet");
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
