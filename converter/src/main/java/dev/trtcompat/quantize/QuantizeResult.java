package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.trtcompat.check.ExplicitQuantizationVerdict;
import java.util.List;

/**
 * What {@code quantize} did: the Q/DQ model written, the calibration it came from (with the timing-only caveat for
 * random data), how many tensors were quantized, the clipping range per activation, the accuracy measured on
 * ONNX Runtime against the FP32 model, and per TensorRT release whether the static checker's Q/DQ rules accept the
 * written model as explicit quantization ({@code explicitQuantization}).
 */
@JsonPropertyOrder({
  "model", "output", "outputSha256", "method", "calibration", "calibrationSha256", "calibrationSamples", "synthetic",
  "caveat", "opset", "activationsQuantized", "weightsQuantized", "excludedNodes", "accuracy", "explicitQuantization",
  "notes", "ranges", "seconds"
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
    List<ExplicitQuantizationVerdict> explicitQuantization,
    List<String> notes,
    List<TensorRange> ranges,
    double seconds) {

  /**
   * The clipping range chosen for one activation and the scale written for it.
   *
   * @param clippedShare the share of the tensor's non-zero calibration values beyond {@code amax}, which INT8
   *     saturates at 127 (a lower bound, exact to one histogram bin)
   */
  public record TensorRange(String tensor, double maxAbs, double amax, float scale, double clippedShare) {

    /** The range of {@code tensor} at {@code amax} over its calibration histogram. */
    static TensorRange of(String tensor, TensorHistogram h, double amax) {
      long nonZero = h.count() - h.zeros();
      double clipped = nonZero == 0 ? 0 : (double) h.countAbove(amax) / nonZero;
      return new TensorRange(tensor, h.maxAbs(), amax, QdqRewriter.scale(amax), clipped);
    }
  }
}
