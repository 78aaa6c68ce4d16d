package dev.trtcompat.fix;

import java.util.List;

/**
 * What {@code fix} did and what it means, in the order a reader wants it.
 *
 * @param status {@code fixed} (output written), {@code unchanged} (no pass changed anything; output written as a
 *     copy with metadata), or {@code refused} (no output: the rewrite changed outputs or ONNX Runtime could not
 *     run the fixed model)
 * @param proven true when ONNX Runtime ran both models on the same inputs and every output matched
 * @param summary one line per verdict change, e.g. {@code incompatible on 7.0–8.2 → compatible from 7.0}
 */
public record FixReport(
    String source,
    String output,
    String sourceSha256,
    String toolVersion,
    String status,
    String refusal,
    boolean proven,
    String unprovenReason,
    List<String> passesApplied,
    List<PassResult> passes,
    List<ReleaseChange> releases,
    List<String> summary,
    Equivalence equivalence,
    List<String> notes) {

  /** @param findingsRemoved {@code rule at where (releases)} for each finding that disappeared after this pass */
  public record PassResult(String name, String reason, boolean applied, List<String> findingsRemoved) {}

  /** @param remaining what still blocks (errors) or leaves the verdict open (unknown facts) after the fix */
  public record ReleaseChange(String tensorrt, String before, String after, List<String> remaining) {}

  /** @param inputs how the inputs were made; outputs compared output by output */
  public record Equivalence(
      String tolerance, List<String> inputs, List<OutputError> outputs, List<String> notes) {}

  public record OutputError(String name, double maxAbsError, double maxRelError, boolean passed, String problem) {}
}
