package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trtcompat.rules.ReleaseRules;
import java.util.List;

/**
 * The verdict and findings for one TensorRT release.
 *
 * @param tensorrt the release, {@code MAJOR.MINOR}
 * @param status {@code source} when the release's rules were read from its own table and/or importer code,
 *     {@code derived} when they are the {@code derivedFrom} release's plus its parser changelog: a derived verdict
 *     is less certain and is shown so
 * @param derivedFrom the release a derived release's rules were copied from; absent for a source release
 */
public record ReleaseResult(String tensorrt, ReleaseRules.Status status,
    @JsonInclude(JsonInclude.Include.NON_NULL) String derivedFrom, Verdict verdict, int errors, int warnings,
    List<Finding> findings) {

  /** The rules were derived (nearest earlier release plus changelog), not read from the release's sources. */
  public boolean derived() {
    return status == ReleaseRules.Status.DERIVED;
  }

  static ReleaseResult of(ReleaseRules release, List<Finding> findings) {
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
    return new ReleaseResult(release.release(), release.status(), release.derivedFrom(), v, errors, warnings,
        List.copyOf(findings));
  }
}
