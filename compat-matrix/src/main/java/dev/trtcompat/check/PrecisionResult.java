package dev.trtcompat.check;

import dev.trtcompat.rules.ReleaseRules;
import java.util.List;

/**
 * One precision column of one release: the parse verdict combined with what building in that precision adds.
 *
 * @param verdict the worse of the release's parse verdict and this column's own findings
 * @param errors errors among this column's own findings (the release's parse findings are not repeated here)
 * @param findings what this precision adds: layer fallbacks, placeholder INT8 scales, Q/DQ rules, GPU limits
 * @param assumes the GPUs the verdict holds for: the chosen GPU, or which architectures it assumes
 * @param sources the documents and source files behind this column's findings
 */
public record PrecisionResult(
    Verdict verdict, int errors, int warnings, List<Finding> findings, String assumes, List<String> sources) {

  public PrecisionResult {
    findings = List.copyOf(findings);
    sources = List.copyOf(sources);
  }

  static PrecisionResult of(Verdict parse, List<Finding> own, String assumes, List<String> sources) {
    ReleaseResult mine = ReleaseResult.tally("", ReleaseRules.Status.SOURCE, null, own);
    return new PrecisionResult(worse(parse, mine.verdict()), mine.errors(), mine.warnings(), own, assumes,
        sources.stream().distinct().toList());
  }

  /** Incompatible beats unknown beats warnings beats compatible, as in a release's own verdict. */
  static Verdict worse(Verdict a, Verdict b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(Verdict v) {
    return switch (v) {
      case COMPATIBLE -> 0;
      case COMPATIBLE_WITH_WARNINGS -> 1;
      case UNKNOWN -> 2;
      case INCOMPATIBLE -> 3;
    };
  }
}
