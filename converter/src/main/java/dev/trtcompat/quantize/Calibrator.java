package dev.trtcompat.quantize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the FP32 model on ONNX Runtime over calibration samples, one sample at a time, with the tensors of interest
 * exposed as extra graph outputs, and folds each into a fixed-size {@link TensorHistogram}. Memory is one sample's
 * tensors plus 2048 counters per tensor, whatever the number of samples.
 */
public final class Calibrator {

  /**
   * Operators whose output shapes depend on the input values, not only on their shapes: with one in the graph a later
   * sample's tensors need not fit outputs pinned at the first sample's shapes (ONNX Runtime then refuses the run), so
   * such models calibrate without pinned outputs.
   */
  static final Set<String> VALUE_DEPENDENT_SHAPES = Set.of("NonZero", "NonMaxSuppression", "Unique", "Compress");

  /**
   * @param histograms per float tensor
   * @param nonFloat tensors that turned out not to be FLOAT, with their element type (not calibrated)
   * @param samples how many samples the histograms hold: all of {@code indices}, or fewer when a {@link SampleLimit}
   *     stopped calibration early
   */
  public record Statistics(Map<String, TensorHistogram> histograms, Map<String, String> nonFloat, int samples) {}

  /** When to stop calibrating before every sample is in (a time budget); the samples done so far make the scales. */
  @FunctionalInterface
  interface SampleLimit {

    SampleLimit NONE = done -> false;

    /** Whether to stop now, {@code done} samples in, before the next one. */
    boolean stopBefore(int done);
  }

  private Calibrator() {}

  public static Statistics collect(
      ModelProto model, Set<String> tensors, List<ModelInput> inputs, CalibrationSet data, List<Integer> indices,
      int threads, Progress progress) {
    return collect(model, tensors, inputs, data, indices, threads, progress, SampleLimit.NONE);
  }

  static Statistics collect(
      ModelProto model, Set<String> tensors, List<ModelInput> inputs, CalibrationSet data, List<Integer> indices,
      int threads, Progress progress, SampleLimit limit) {
    GraphIndex g = new GraphIndex(model.getGraph());
    Set<String> fromInputs = new LinkedHashSet<>();
    Set<String> fromRuns = new LinkedHashSet<>();
    for (String t : tensors) {
      (g.isGraphInput(t) ? fromInputs : fromRuns).add(t);
    }
    Map<String, TensorHistogram> histograms = new LinkedHashMap<>();
    tensors.forEach(t -> histograms.put(t, new TensorHistogram()));
    Map<String, String> nonFloat = new LinkedHashMap<>();
    Map<String, TensorHistogram> byOutput = new LinkedHashMap<>(); // the same histograms, by the output run gives
    Map<String, String> tensorByOutput = new LinkedHashMap<>();
    int done = 0;
    try (Opened opened = open(model, fromRuns, threads);
        OverlappedHistograms pinned = new OverlappedHistograms(threads);
        SamplePrefetch samples = new SamplePrefetch(data, inputs, indices)) {
      OrtModelSession session = opened.session();
      BlockedOutputs.Outputs outputs = opened.outputs();
      outputs.byTensor().forEach((t, output) -> {
        byOutput.put(output, histograms.get(t));
        tensorByOutput.put(output, t);
      });
      for (int index : indices) {
        if (limit.stopBefore(done)) {
          break;
        }
        Map<String, HostTensor> sample = samples.take();
        ModelInput.check(inputs, sample, data.label(index));
        for (String t : fromInputs) {
          HostTensor in = sample.get(t);
          if (in.type() == ElementType.FLOAT) {
            histograms.get(t).add(in.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
          } else {
            nonFloat.put(t, in.type().name());
          }
        }
        if (!fromRuns.isEmpty() && pinned.fits(sample)) {
          pinned.run(session, sample, byOutput);
        } else if (!fromRuns.isEmpty()) {
          pinned.drain(); // the previous sample's histograms first: each takes its batches in sample order
          Map<String, long[]> floatShapes = new LinkedHashMap<>();
          session.run(
              sample, byOutput.keySet(),
              (name, value) -> {
                if (OrtModelSession.isFloatTensor(value)) {
                  byOutput.get(name).add(((OnnxTensor) value).getFloatBuffer());
                  floatShapes.put(name, ((OnnxTensor) value).getInfo().getShape());
                  outputs.requireWhole(name, floatShapes.get(name));
                } else {
                  nonFloat.put(tensorByOutput.get(name), String.valueOf(value.getInfo()));
                }
              });
          if (done == 0 && !hasValueDependentShapes(model.getGraph())) {
            pinned.allocate(session, sample, floatShapes);
          }
        }
        progress.report("calibrating", ++done, indices.size());
      }
      pinned.drain();
    }
    nonFloat.keySet().forEach(histograms::remove);
    return new Statistics(histograms, nonFloat, done);
  }

  private static boolean hasValueDependentShapes(GraphProto g) {
    return g.getNodeList().stream().anyMatch(n -> GraphIndex.isDefaultDomain(n)
        && VALUE_DEPENDENT_SHAPES.contains(n.getOpType()));
  }

  /** The session calibration runs and which of its outputs carries each tensor. */
  private record Opened(OrtModelSession session, BlockedOutputs.Outputs outputs) implements AutoCloseable {
    @Override
    public void close() {
      session.close();
    }
  }

  /**
   * Opens the session calibration runs. The models built on the way are not kept: each holds its own copy of the
   * weights.
   */
  private static Opened open(ModelProto model, Set<String> tensors, int threads) {
    BlockedOutputs run = blockedOutputs(exposing(model, tensors), tensors, threads);
    // Spinning off: between runs the histogram and decoding threads need the cores ORT's idle workers would spin on.
    return new Opened(new OrtModelSession(run.model(), "the FP32 model", threads, false, run.optimized()), run.outputs());
  }

  /**
   * The model to run: ONNX Runtime's optimized form with the exposed tensors in its blocked layout where that drops
   * reorders ({@link BlockedOutputs}), else the exposing model as it is (nothing to drop, a model too large to pass
   * through one protobuf message, or an optimized form that cannot be saved and read back).
   */
  private static BlockedOutputs blockedOutputs(ModelProto exposing, Set<String> tensors, int threads) {
    int size = exposing.getSerializedSize();
    if (tensors.isEmpty() || size <= 0 || size > ModelFiles.EXTERNAL_THRESHOLD) {
      return BlockedOutputs.unchanged(exposing, tensors);
    }
    BlockedOutputs blocked;
    try {
      blocked = BlockedOutputs.of(OrtModelSession.optimizedForm(exposing, "the FP32 model", threads), tensors);
    } catch (RuntimeException e) {
      return BlockedOutputs.unchanged(exposing, tensors); // the session of the exposing model reports what is wrong
    }
    return tensors.stream().anyMatch(t -> !t.equals(blocked.outputOf(t))) ? blocked : BlockedOutputs.unchanged(exposing, tensors);
  }

  /**
   * Output tensors over direct buffers, shaped after the first sample's outputs and reused for every later sample
   * whose inputs have the same shapes: ONNX Runtime writes each exposed tensor straight into memory the histograms
   * read, instead of allocating outputs that are then copied onto the Java heap (profiled: that copy and the garbage
   * it made were a large part of calibration time). Models whose exposed tensors exceed {@link #MAX_BYTES} are not
   * pinned (direct memory is bounded by the heap limit), nor are samples of other shapes.
   */
  static final class PinnedOutputs implements AutoCloseable {

    /** Direct memory for all pinned outputs together (one set, or two of half the size each). */
    static final long MAX_BYTES = 256L * 1024 * 1024;

    private final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
    private final Map<String, FloatBuffer> buffers = new LinkedHashMap<>();
    private Map<String, List<Long>> inputShapes;

    /** Pins outputs of {@code shapes} when they fit in {@code maxBytes}; whether it did. */
    boolean allocate(OrtModelSession session, Map<String, HostTensor> sample, Map<String, long[]> shapes, long maxBytes) {
      long bytes = 0;
      for (long[] s : shapes.values()) {
        bytes += HostTensor.elementCount(s) * Float.BYTES;
      }
      if (bytes > maxBytes || shapes.values().stream().anyMatch(s -> Arrays.stream(s).anyMatch(d -> d < 0))) {
        return false;
      }
      try {
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
          FloatBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(HostTensor.elementCount(e.getValue()) * Float.BYTES))
              .order(ByteOrder.nativeOrder()).asFloatBuffer();
          tensors.put(e.getKey(), OnnxTensor.createTensor(session.environment(), b, e.getValue()));
          buffers.put(e.getKey(), b);
        }
      } catch (OrtException | OutOfMemoryError e) {
        // Direct memory refused (it is capped separately from the heap) or ORT would not wrap it: not an error,
        // calibration falls back to copying outputs.
        close();
        return false;
      }
      inputShapes = shapesOf(sample);
      return true;
    }

    boolean fits(Map<String, HostTensor> sample) {
      return inputShapes != null && inputShapes.equals(shapesOf(sample));
    }

    Map<String, OnnxTensor> tensors() {
      return tensors;
    }

    Map<String, FloatBuffer> buffers() {
      return buffers;
    }

    private static Map<String, List<Long>> shapesOf(Map<String, HostTensor> sample) {
      Map<String, List<Long>> out = new LinkedHashMap<>();
      sample.forEach((name, t) -> out.put(name, Arrays.stream(t.shape()).boxed().toList()));
      return out;
    }

    @Override
    public void close() {
      tensors.values().forEach(OnnxTensor::close);
      tensors.clear();
      buffers.clear();
      inputShapes = null;
    }
  }

  /** A copy of {@code model} whose graph also outputs {@code tensors} (type left to ONNX Runtime's inference). */
  static ModelProto exposing(ModelProto model, Set<String> tensors) {
    GraphProto.Builder g = model.getGraph().toBuilder();
    Set<String> present = new HashSet<>();
    g.getOutputList().forEach(o -> present.add(o.getName()));
    for (String t : tensors) {
      if (present.add(t)) {
        g.addOutput(ValueInfoProto.newBuilder().setName(t));
      }
    }
    return model.toBuilder().setGraph(g).build();
  }
}
