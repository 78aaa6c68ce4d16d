package dev.trtcompat.quantize;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.fix.ExternalDataWriter;
import dev.trtcompat.onnx.ExternalDataRef;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.units.ByteSize;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Reads a whole model into protobuf-java messages (external weights pulled in) and writes one back atomically:
 * into a temporary file next to the target, moved into place only when complete, so a failure leaves nothing
 * half-written. Models whose weights pass {@link #EXTERNAL_THRESHOLD} are written with ONNX external data
 * ({@code <file>.data} next to the model, one region per initializer of 1 KiB or more) because a protobuf message
 * cannot exceed 2 GiB; the data file is written by fix's {@link ExternalDataWriter} (the project's one writer of
 * external data: payloads of 1 MiB or more on 64 KiB boundaries, written from their buffers).
 */
public final class ModelFiles {

  /** Above this many initializer bytes the weights go to an external-data file. */
  static final long EXTERNAL_THRESHOLD = 1_800L * 1024 * 1024;

  private ModelFiles() {}

  /**
   * Reads {@code model}; our own reader checks it first (external-data locations must stay in the model's folder).
   */
  public static ModelProto load(Path model) {
    if (!Files.isRegularFile(model)) {
      throw new UserFacingException(Kind.NOT_FOUND, "model_not_found", "no model file at " + model);
    }
    requireHeapFor(OnnxModelReader.read(model), Runtime.getRuntime().maxMemory());
    try (InputStream in = Files.newInputStream(model)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE);
      ModelProto m = ModelProto.parseFrom(coded);
      return inlineExternalData(m, model.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UserFacingException(
          Kind.INVALID_INPUT, "invalid_model", "cannot read " + model.getFileName() + " as an ONNX model: " + e.getMessage());
    }
  }

  /**
   * Quantize and fp16 rewrite the model as protobuf-java messages, weights included: parsing holds each payload once
   * and the copy being built holds the rewritten weights again. A model whose weights cannot fit twice in this JVM's
   * heap is refused up front, with the setting that raises it, rather than failing with an out-of-memory error
   * minutes later. (fix copies weights through without holding them; these two commands do not yet.)
   */
  static void requireHeapFor(OnnxModel parsed, long maxHeap) {
    long weights = parsed.graph().initializers().stream().mapToLong(TensorInfo::payloadBytes).sum();
    long needed = 2 * weights + (64L << 20);
    if (needed > maxHeap) {
      long gib = (needed + (1L << 30) - 1) >> 30;
      throw new UserFacingException(Kind.INVALID_INPUT, "model_too_large_for_heap",
          parsed.path().getFileName() + " holds " + ByteSize.human(weights) + " of weights; rewriting them needs about "
              + ByteSize.human(needed) + " of Java heap and this process has " + ByteSize.human(maxHeap)
              + ": run with TRT_COMPAT_JAVA_OPTS=-Xmx" + gib + "g (or more), on a machine with that much memory free");
    }
  }

  private static ModelProto inlineExternalData(ModelProto m, Path dir) throws IOException {
    GraphProto g = m.getGraph();
    boolean any = g.getInitializerList().stream().anyMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL);
    if (!any) {
      return m;
    }
    GraphProto.Builder gb = g.toBuilder();
    for (int i = 0; i < gb.getInitializerCount(); i++) {
      TensorProto t = gb.getInitializer(i);
      if (t.getDataLocation() != TensorProto.DataLocation.EXTERNAL) {
        continue;
      }
      ExternalDataRef ref = ExternalDataRef.of(t.getName(), t.getExternalDataList());
      Path file = dir.resolve(ref.location());
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        long n = ref.length() >= 0 ? ref.length() : ch.size() - ref.offset();
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(n));
        while (buf.hasRemaining() && ch.read(buf, ref.offset() + buf.position()) > 0) {
          // read until full
        }
        buf.flip();
        gb.setInitializer(
            i, t.toBuilder().clearExternalData().clearDataLocation().setRawData(ByteString.copyFrom(buf)).build());
      }
    }
    return m.toBuilder().setGraph(gb).build();
  }

  /**
   * Writes {@code model} to {@code out} through a temporary file in the same folder; with large weights also
   * {@code out.data}. On failure nothing is left behind.
   */
  public static void writeAtomically(ModelProto model, Path out) {
    writeAtomically(model, out, EXTERNAL_THRESHOLD);
  }

  /** The same, with external data above {@code externalAbove} initializer bytes (tests cross it on small models). */
  static void writeAtomically(ModelProto model, Path out, long externalAbove) {
    Path dir = out.toAbsolutePath().getParent();
    Path tmp = null;
    Path tmpData = null;
    try {
      Files.createDirectories(dir);
      tmp = tempSibling(dir, out.getFileName().toString());
      ModelProto toWrite = model;
      Path dataFile = dir.resolve(out.getFileName() + ".data");
      if (initializerBytes(model) > externalAbove) {
        tmpData = tempSibling(dir, dataFile.getFileName().toString());
        toWrite = ExternalDataWriter.write(model, dir, tmpData, dataFile.getFileName().toString());
      }
      try (OutputStream os = Files.newOutputStream(tmp)) {
        CodedOutputStream coded = CodedOutputStream.newInstance(os, 1 << 16);
        toWrite.writeTo(coded);
        coded.flush();
      }
      if (tmpData != null) {
        move(tmpData, dataFile);
        tmpData = null;
      }
      move(tmp, out);
      tmp = null;
    } catch (IOException e) {
      throw new UserFacingException(
          Kind.UNAVAILABLE, "model_not_written", "cannot write " + out + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(tmp);
      deleteQuietly(tmpData);
    }
  }

  /**
   * A fresh hidden name next to the target. Not {@code Files.createTempFile}: its owner-only permissions would stay on
   * the model after the move; created with the process's usual umask instead.
   */
  private static Path tempSibling(Path dir, String name) throws IOException {
    Path p = dir.resolve("." + name + "." + java.util.UUID.randomUUID() + ".tmp");
    Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
    return p;
  }

  /** Serialized form for models small enough to hold in one array (calibration copies, tests). */
  static byte[] toBytes(ModelProto model) {
    return model.toByteArray();
  }

  static long initializerBytes(ModelProto model) {
    long n = 0;
    for (TensorProto t : model.getGraph().getInitializerList()) {
      n += t.getRawData().size() + 4L * t.getFloatDataCount() + 8L * t.getInt64DataCount()
          + 8L * t.getDoubleDataCount() + 4L * t.getInt32DataCount();
    }
    return n;
  }

  public static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // best effort: a temp file we could not delete is reported nowhere else
      }
    }
  }
}
