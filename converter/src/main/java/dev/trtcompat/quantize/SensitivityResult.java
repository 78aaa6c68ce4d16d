package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What a per-layer sensitivity analysis found and wrote: the error of the fully quantized model, each layer's error
 * when it alone is quantized (most harmful first), the layers recommended to stay in FP32 to meet the target, and the
 * model written with them kept.
 *
 * @param metric how an error is computed ({@link SensitivityAnalysis#METRIC})
 * @param baselineError the error with every planned layer quantized
 * @param layers quantizable layers (nodes that read a quantized input) in the plan
 * @param complete false when the budget ran out before every layer was ranked and the search ended; {@code
 *     stoppedBy} then says where
 * @param ranking the layers measured, highest error first; layers not reached are left out
 * @param candidates every model tried while choosing how many of the top-ranked layers to keep in FP32
 * @param keptFp32 the layers kept in FP32 in the model written, by name
 * @param targetMet whether the model written meets {@code targetError}
 * @param model the Q/DQ model written, with its accuracy measured on held-out samples
 */
@JsonPropertyOrder({
  "metric", "targetError", "budgetSeconds", "baselineError", "layers", "layersRanked", "complete", "stoppedBy",
  "ranking", "candidates", "keptFp32", "error", "targetMet", "model", "seconds"
})
public record SensitivityResult(
    String metric,
    double targetError,
    double budgetSeconds,
    double baselineError,
    int layers,
    int layersRanked,
    boolean complete,
    @JsonInclude(JsonInclude.Include.NON_NULL) String stoppedBy,
    List<LayerSensitivity> ranking,
    List<Candidate> candidates,
    List<String> keptFp32,
    double error,
    boolean targetMet,
    QuantizeResult model,
    double seconds) {

  public SensitivityResult {
    ranking = List.copyOf(ranking);
    candidates = List.copyOf(candidates);
    keptFp32 = List.copyOf(keptFp32);
  }

  /**
   * One layer quantized alone, the rest of the model in FP32.
   *
   * @param node the node's name ({@code Op #index} when it has none)
   * @param index its position in the main graph
   * @param error the model's error with only this layer's inputs quantized
   */
  public record LayerSensitivity(String node, int index, String op, double error) {}

  /** A model tried: the {@code keptFp32} most sensitive layers in FP32, every other planned layer in INT8. */
  public record Candidate(int keptFp32, double error) {}
}
