package dev.trtcompat.quantize;

import ai.onnxruntime.OnnxTensor;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import java.nio.ByteOrder;
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
   * @param histograms per float tensor
   * @param nonFloat tensors that turned out not to be FLOAT, with their element type (not calibrated)
   */
  public record Statistics(Map<String, TensorHistogram> histograms, Map<String, String> nonFloat) {}

  private Calibrator() {}

  public static Statistics collect(
      ModelProto model, Set<String> tensors, List<ModelInput> inputs, CalibrationSet data, List<Integer> indices,
      int threads, Progress progress) {
    GraphIndex g = new GraphIndex(model.getGraph());
    Set<String> fromInputs = new LinkedHashSet<>();
    Set<String> fromRuns = new LinkedHashSet<>();
    for (String t : tensors) {
      (g.isGraphInput(t) ? fromInputs : fromRuns).add(t);
    }
    Map<String, TensorHistogram> histograms = new LinkedHashMap<>();
    tensors.forEach(t -> histograms.put(t, new TensorHistogram()));
    Map<String, String> nonFloat = new LinkedHashMap<>();
    try (OrtModelSession session = new OrtModelSession(exposing(model, fromRuns), "the FP32 model", threads)) {
      int done = 0;
      for (int index : indices) {
        Map<String, HostTensor> sample = data.sample(index, inputs);
        ModelInput.check(inputs, sample, data.label(index));
        for (String t : fromInputs) {
          HostTensor in = sample.get(t);
          if (in.type() == ElementType.FLOAT) {
            histograms.get(t).add(in.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
          } else {
            nonFloat.put(t, in.type().name());
          }
        }
        if (!fromRuns.isEmpty()) {
          session.run(
              sample, fromRuns,
              (name, value) -> {
                if (OrtModelSession.isFloatTensor(value)) {
                  histograms.get(name).add(((OnnxTensor) value).getFloatBuffer());
                } else {
                  nonFloat.put(name, String.valueOf(value.getInfo()));
                }
              });
        }
        progress.report("calibrating", ++done, indices.size());
      }
    }
    nonFloat.keySet().forEach(histograms::remove);
    return new Statistics(histograms, nonFloat);
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
