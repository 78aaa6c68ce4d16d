package dev.trtcompat.check;

import java.util.List;
import java.util.Map;

/**
 * The verdict and findings for one TensorRT release.
 *
 * @param tensorrt the release, {@code MAJOR.MINOR}
 * @param verdict the parse verdict: whether the release's ONNX parser accepts the model
 * @param precisions per build precision ({@code fp32}, {@code fp16}, {@code int8}): the parse verdict combined
 *     with what that precision adds (and, for a report filtered for a GPU, what the GPU cannot build)
 * @param gpu whether the release supports the GPU the report was filtered for; null without a GPU
 */
public record ReleaseResult(
    String tensorrt,
    Verdict verdict,
    int errors,
    int warnings,
    List<Finding> findings,
    Map<String, PrecisionResult> precisions,
    GpuSupport gpu) {

  public ReleaseResult {
    findings = List.copyOf(findings);
    precisions = precisions == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(precisions));
  }

  static ReleaseResult of(String release, List<Finding> findings) {
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
    return new ReleaseResult(release, v, errors, warnings, findings, Map.of(), null);
  }

  ReleaseResult withPrecisions(Map<String, PrecisionResult> columns) {
    return new ReleaseResult(tensorrt, verdict, errors, warnings, findings, columns, gpu);
  }
}
