package dev.trtcompat.check;

import java.util.List;

/**
 * The verdict and findings for one TensorRT release.
 *
 * @param tensorrt the release, {@code MAJOR.MINOR}
 */
public record ReleaseResult(String tensorrt, Verdict verdict, int errors, int warnings, List<Finding> findings) {

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
    return new ReleaseResult(release, v, errors, warnings, List.copyOf(findings));
  }
}
