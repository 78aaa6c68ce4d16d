package dev.trtcompat.accuracy;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.trtcompat.precision.Precision;
import java.util.List;

/**
 * The verdict on an engine's outputs against the reference: passed when every reference output is present
 * in the engine's outputs and each passes under {@code tolerance}.
 */
@JsonPropertyOrder({"passed", "precision", "tolerance", "outputs", "missingOutputs", "extraOutputs"})
public record AccuracyReport(
    boolean passed,
    Precision precision,
    Tolerance tolerance,
    List<OutputComparison> outputs,
    List<String> missingOutputs,
    List<String> extraOutputs) {

  public AccuracyReport {
    outputs = List.copyOf(outputs);
    missingOutputs = List.copyOf(missingOutputs);
    extraOutputs = List.copyOf(extraOutputs);
  }

  /** The first failing output's problem, for one-line messages; empty when passed. */
  public String summary() {
    if (passed) {
      return "all " + outputs.size() + " output(s) within tolerance";
    }
    if (!missingOutputs.isEmpty()) {
      return "engine outputs lack " + missingOutputs;
    }
    return outputs.stream()
        .filter(o -> !o.passed())
        .findFirst()
        .map(o -> o.name() + ": " + o.problem())
        .orElse("failed");
  }
}
