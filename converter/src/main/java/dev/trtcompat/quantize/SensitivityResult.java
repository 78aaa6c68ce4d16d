package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What a per-layer sensitivity analysis found and wrote: the error of the fully quantized model, each layer's
 * measurement (most harmful first), the layers recommended to stay in FP32 to meet the target, and the model written
 * with them kept.
 *
 * @param metric how an error is computed ({@link SensitivityAnalysis#METRIC})
 * @param mode how the layers were ranked: {@code one-at-a-time} or {@code leave-one-out}
 * @param baselineError the error with every planned layer quantized
 * @param layers quantizable layers (nodes that read a quantized input) in the plan
 * @param complete false when the budget ran out before every layer was ranked and the search ended; {@code
 *     stoppedBy} then says where
 * @param budgetCuts what the time budget cut, one line each (calibration samples, ranking, search, the final run);
 *     empty when nothing was
 * @param ranking the layers measured, highest error first; layers not reached are left out
 * @param candidates every model tried while choosing how many of the top-ranked layers to keep in FP32
 * @param keptFp32 the layers kept in FP32 in the model written, by name
 * @param error the model written, measured once more as written (the final run), or when the budget left no time
 *     for that run, as measured on the same graph while choosing ({@code remeasured} false)
 * @param targetMet whether the model written meets {@code targetError}
 * @param model the Q/DQ model written, with its accuracy measured on held-out samples; null in {@link #withoutModel}
 */
@JsonPropertyOrder({
  "metric", "mode", "targetError", "budgetSeconds", "baselineError", "layers", "layersRanked", "complete", "stoppedBy",
  "budgetCuts", "ranking", "candidates", "keptFp32", "error", "remeasured", "targetMet", "model", "seconds"
})
public record SensitivityResult(
    String metric,
    SensitivityAnalysis.Mode mode,
    double targetError,
    double budgetSeconds,
    double baselineError,
    int layers,
    int layersRanked,
    boolean complete,
    @JsonInclude(JsonInclude.Include.NON_NULL) String stoppedBy,
    List<String> budgetCuts,
    List<LayerSensitivity> ranking,
    List<Candidate> candidates,
    List<String> keptFp32,
    double error,
    boolean remeasured,
    boolean targetMet,
    @JsonInclude(JsonInclude.Include.NON_NULL) QuantizeResult model,
    double seconds) {

  public SensitivityResult {
    budgetCuts = budgetCuts == null ? List.of() : List.copyOf(budgetCuts); // absent from results stored before it
    ranking = List.copyOf(ranking);
    candidates = List.copyOf(candidates);
    keptFp32 = List.copyOf(keptFp32);
  }

  /** The findings without the written model's description, for a record that keeps that model beside them. */
  public SensitivityResult withoutModel() {
    return new SensitivityResult(metric, mode, targetError, budgetSeconds, baselineError, layers, layersRanked,
        complete, stoppedBy, budgetCuts, ranking, candidates, keptFp32, error, remeasured, targetMet, null, seconds);
  }

  /**
   * One layer's measurement.
   *
   * @param node the node's name ({@code Op #index} when it has none)
   * @param index its position in the main graph
   * @param error one-at-a-time: the model's error with only this layer's inputs quantized; leave-one-out: the
   *     quantized model's error with only this layer's inputs left in FP32
   * @param errorRemoved leave-one-out only: the fully quantized model's error minus {@code error}, what keeping this
   *     layer in FP32 gains (negative when it makes things worse); null one-at-a-time
   */
  public record LayerSensitivity(
      String node, int index, String op, double error, @JsonInclude(JsonInclude.Include.NON_NULL) Double errorRemoved) {

    /** What the ranking orders by, highest first: the error removed (leave-one-out), else the error caused. */
    @JsonIgnore
    public double impact() {
      return errorRemoved != null ? errorRemoved : error;
    }
  }

  /** A model tried: the {@code keptFp32} most sensitive layers in FP32, every other planned layer in INT8. */
  public record Candidate(int keptFp32, double error) {}
}
