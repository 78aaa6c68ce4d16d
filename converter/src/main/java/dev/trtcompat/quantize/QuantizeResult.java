package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What {@code quantize} did: the Q/DQ model written, the calibration it came from (with the timing-only caveat for
 * random data), how many tensors were quantized, the clipping range per activation and the accuracy measured on
 * ONNX Runtime against the FP32 model.
 */
@JsonPropertyOrder({
  "model", "output", "outputSha256", "method", "calibration", "calibrationSha256", "calibrationSamples", "synthetic",
  "caveat", "opset", "activationsQuantized", "weightsQuantized", "excludedNodes", "accuracy", "notes", "ranges",
  "seconds"
})
public record QuantizeResult(
    String model,
    String output,
    String outputSha256,
    String method,
    String calibration,
    String calibrationSha256,
    int calibrationSamples,
    boolean synthetic,
    String caveat,
    int opset,
    int activationsQuantized,
    int weightsQuantized,
    List<String> excludedNodes,
    AccuracySummary accuracy,
    List<String> notes,
    List<TensorRange> ranges,
    double seconds) {

  /** The clipping range chosen for one activation and the scale written for it. */
  public record TensorRange(String tensor, double maxAbs, double amax, float scale) {}
}
