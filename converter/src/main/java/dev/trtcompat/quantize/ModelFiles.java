package dev.trtcompat.quantize;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.fix.ExternalDataWriter;
import dev.trtcompat.fix.StagedOutput;
import dev.trtcompat.onnx.ExternalDataRef;
import dev.trtcompat.onnx.MappedModelReader;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.units.ByteSize;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.ToLongFunction;

/**
 * Reads a whole model for rewriting and writes one back atomically, both through fix's streaming path: the model is
 * parsed from read-only mappings with aliasing ({@link MappedModelReader}), so every weight stays a view of the page
 * cache (external-data weights are mapped too and pulled in as views), and it is written by fix's
 * {@link StagedOutput} (large payloads copied from their mappings by the kernel; the data file, then the model, moved
 * into place, so a failure leaves nothing half-written). Models whose weights pass {@link #EXTERNAL_THRESHOLD} are
 * written with ONNX external data ({@code <file>.data} next to the model, one region per initializer of 1 KiB or
 * more) because a protobuf message cannot exceed 2 GiB; that file is written by fix's {@link ExternalDataWriter}
 * (the project's one writer of external data: payloads of 1 MiB or more on 64 KiB boundaries).
 */
public final class ModelFiles {

  /** Above this many initializer bytes the weights go to an external-data file. */
  static final long EXTERNAL_THRESHOLD = 1_800L * 1024 * 1024;
  /** Heap for everything but the weights: the graph's messages, histograms, samples, outputs. */
  static final long WORKING_SET = 64L << 20;

  private ModelFiles() {}

  /**
   * Reads {@code model} for a rewrite that adds nothing of the size of its weights to the heap (quantize, or reading
   * its graph); our own reader checks it first (external-data locations must stay in the model's folder). The weights
   * of the returned model are views of its files, which must not change while it is in use.
   */
  public static ModelProto load(Path model) {
    return load(model, parsed -> 0);
  }

  /**
   * The same for a rewrite that adds {@code added} bytes of tensors to the heap for this model (fp16: its FLOAT16
   * copies of small weights); refused up front if they and the working set cannot fit.
   */
  public static ModelProto load(Path model, ToLongFunction<OnnxModel> added) {
    if (!Files.isRegularFile(model)) {
      throw new UserFacingException(Kind.NOT_FOUND, "model_not_found", "no model file at " + model);
    }
    OnnxModel parsed = OnnxModelReader.read(model);
    requireHeapFor(parsed, Runtime.getRuntime().maxMemory(), added.applyAsLong(parsed));
    try {
      return inlineExternalData(MappedModelReader.read(model), model.toAbsolutePath().getParent());
    } catch (IOException e) {
      throw new UserFacingException(Kind.INVALID_INPUT, "invalid_model",
          "cannot read the external data of " + model.getFileName() + ": " + e.getMessage());
    }
  }

  /**
   * The weights stay in the page cache, so the heap holds only what the rewrite adds ({@code added} bytes: nothing
   * for quantize, which writes the FP32 weights back from their mappings and adds only scales; fp16's small FLOAT16
   * copies) plus the {@link #WORKING_SET}. A model that cannot fit that is refused up front, with the setting that
   * raises it, rather than failing with an out-of-memory error minutes later.
   */
  static void requireHeapFor(OnnxModel parsed, long maxHeap, long added) {
    long needed = added + WORKING_SET;
    if (needed > maxHeap) {
      long weights = parsed.graph().initializers().stream().mapToLong(TensorInfo::payloadBytes).sum();
      long gib = (needed + (1L << 30) - 1) >> 30;
      throw new UserFacingException(Kind.INVALID_INPUT, "model_too_large_for_heap",
          parsed.path().getFileName() + " holds " + ByteSize.human(weights) + " of weights; rewriting them needs about "
              + ByteSize.human(needed) + " of Java heap and this process has " + ByteSize.human(maxHeap)
              + ": run with TRT_COMPAT_JAVA_OPTS=-Xmx" + gib + "g (or more), on a machine with that much memory free");
    }
  }

  /** External-data tensors become raw_data views of their files' mappings: no weight is read onto the heap. */
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
      try (FileChannel ch = FileChannel.open(dir.resolve(ref.location()), StandardOpenOption.READ)) {
        long n = ref.length() >= 0 ? ref.length() : ch.size() - ref.offset();
        if (n > Integer.MAX_VALUE) {
          throw new UserFacingException(Kind.INVALID_INPUT, "tensor_too_large", "initializer '" + t.getName()
              + "' holds " + ByteSize.human(n) + "; quantize and fp16 rewrite tensors of at most 2 GiB each");
        }
        // the mapping outlives the channel; unsafeWrap (no copy) because the mapping is read-only
        ByteString payload = UnsafeByteOperations.unsafeWrap(ch.map(FileChannel.MapMode.READ_ONLY, ref.offset(), n));
        gb.setInitializer(i, t.toBuilder().clearExternalData().clearDataLocation().setRawData(payload).build());
      }
    }
    return m.toBuilder().setGraph(gb).build();
  }

  /**
   * Writes {@code model} to {@code out} through a staging folder beside it; with large weights also
   * {@code out.data}. On failure nothing is left behind.
   */
  public static void writeAtomically(ModelProto model, Path out) {
    writeAtomically(model, out, EXTERNAL_THRESHOLD);
  }

  /** The same, with external data above {@code externalAbove} initializer bytes (tests cross it on small models). */
  static void writeAtomically(ModelProto model, Path out, long externalAbove) {
    try (StagedOutput staged = StagedOutput.beside(out)) {
      // no tensor is external any more (load pulled them in as views), so the source folder is never read
      staged.write(model, out.toAbsolutePath().getParent(), initializerBytes(model) > externalAbove);
      staged.commit();
    } catch (IOException e) {
      throw new UserFacingException(
          Kind.UNAVAILABLE, "model_not_written", "cannot write " + out + ": " + e.getMessage(), e);
    }
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
