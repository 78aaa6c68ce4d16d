package dev.trtcompat.fp16;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.trtcompat.quantize.AccuracySummary;
import java.util.List;

/**
 * What {@code fp16} did: the model written, which nodes stayed FP32 and why, and the accuracy against FP32.
 *
 * @param caveat {@link Fp16Converter#TIMING_ONLY} for random data, else null
 */
@JsonPropertyOrder({
  "model", "output", "outputSha256", "statistics", "synthetic", "caveat", "fp16Nodes", "fp32Nodes", "keptFp32", "castsAdded",
  "weightsConverted", "accuracy", "seconds"
})
public record Fp16Result(
    String model,
    String output,
    String outputSha256,
    String statistics,
    boolean synthetic,
    String caveat,
    int fp16Nodes,
    int fp32Nodes,
    List<KeptNode> keptFp32,
    int castsAdded,
    int weightsConverted,
    AccuracySummary accuracy,
    double seconds) {

  /** A node left in FP32 and the reason. */
  public record KeptNode(String node, String op, String reason) {}
}
