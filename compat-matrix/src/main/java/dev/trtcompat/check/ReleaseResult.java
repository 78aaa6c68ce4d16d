package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trtcompat.rules.ReleaseRules;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verdict and findings for one TensorRT release.
 *
 * @param tensorrt the release, {@code MAJOR.MINOR}
 * @param status {@code source} when the release's rules were read from its own table and/or importer code,
 *     {@code derived} when they are the {@code derivedFrom} release's plus its parser changelog: a derived verdict
 *     is less certain and is shown so
 * @param derivedFrom the release a derived release's rules were copied from; absent for a source release
 * @param verdict the parse verdict: whether the release's ONNX parser accepts the model
 * @param precisions per build precision ({@code fp32}, {@code fp16}, {@code int8}): the parse verdict combined
 *     with what that precision adds (and, for a report filtered for a GPU, what the GPU cannot build)
 * @param gpu whether the release supports the GPU the report was filtered for; null without a GPU
 */
public record ReleaseResult(
    String tensorrt,
    ReleaseRules.Status status,
    @JsonInclude(JsonInclude.Include.NON_NULL) String derivedFrom,
    Verdict verdict,
    int errors,
    int warnings,
    List<Finding> findings,
    Map<String, PrecisionResult> precisions,
    GpuSupport gpu) {

  public ReleaseResult {
    findings = List.copyOf(findings);
    precisions = precisions == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(precisions));
  }

  /** The rules were derived (nearest earlier release plus changelog), not read from the release's sources. */
  public boolean derived() {
    return status == ReleaseRules.Status.DERIVED;
  }

  static ReleaseResult of(ReleaseRules release, List<Finding> findings) {
    return tally(release.release(), release.status(), release.derivedFrom(), findings);
  }

  /** Counts errors and warnings and decides the verdict they make (also used for one precision's findings). */
  static ReleaseResult tally(String tensorrt, ReleaseRules.Status status, String derivedFrom, List<Finding> findings) {
    int errors = 0;
    int warnings = 0;
    boolean unknown = false;
    for (Finding f : findings) {
      if (f.severity() == Severity.ERROR) {
        errors++;
      } else if (f.severity() == Severity.WARNING) {
        warnings++;
      }
      unknown |= f.unknownFact();
    }
    Verdict v = errors > 0 ? Verdict.INCOMPATIBLE
        : unknown ? Verdict.UNKNOWN
        : warnings > 0 ? Verdict.COMPATIBLE_WITH_WARNINGS
        : Verdict.COMPATIBLE;
    return new ReleaseResult(tensorrt, status, derivedFrom, v, errors, warnings, findings, Map.of(), null);
  }

  ReleaseResult withPrecisions(Map<String, PrecisionResult> columns) {
    return new ReleaseResult(tensorrt, status, derivedFrom, verdict, errors, warnings, findings, columns, gpu);
  }

  ReleaseResult withGpu(Map<String, PrecisionResult> columns, GpuSupport support) {
    return new ReleaseResult(tensorrt, status, derivedFrom, verdict, errors, warnings, findings, columns, support);
  }
}
