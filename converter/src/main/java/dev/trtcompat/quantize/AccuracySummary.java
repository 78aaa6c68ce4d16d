package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The measured cost in accuracy of a quantized or FP16 model against its FP32 original, on ONNX Runtime (CPU).
 *
 * @param samples evaluation samples run through both models
 * @param heldOut true when none of them was used for calibration
 * @param data where the evaluation samples came from
 */
@JsonPropertyOrder({"runtime", "samples", "heldOut", "data", "outputs"})
public record AccuracySummary(String runtime, int samples, boolean heldOut, String data, List<OutputAccuracy> outputs) {

  public AccuracySummary {
    outputs = List.copyOf(outputs);
  }

  /** The lowest per-sample cosine over all comparable outputs: one number to rank layers or methods by. */
  public double worstCosine() {
    return outputs.stream().filter(o -> o.cosineMin() != null).mapToDouble(OutputAccuracy::cosineMin).min().orElse(1);
  }
}
