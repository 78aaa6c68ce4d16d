package dev.trtcompat.accuracy;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.reference.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Compares an engine's outputs with the ONNX Runtime reference, output by output, under a {@link Tolerance}. */
public final class AccuracyComparison {

  private AccuracyComparison() {}

  /**
   * @param precision what the engine was built with; recorded in the report only, the numbers come from
   *     {@code tolerance} (use {@link Tolerance#defaults(Precision)} for the defaults)
   */
  public static AccuracyReport compare(
      Map<String, HostTensor> reference, Map<String, HostTensor> engine, Precision precision, Tolerance tolerance) {
    List<OutputComparison> outputs = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (HostTensor ref : reference.values()) {
      HostTensor got = engine.get(ref.name());
      if (got == null) {
        missing.add(ref.name());
      } else {
        outputs.add(compare(ref, got, tolerance));
      }
    }
    List<String> extra = engine.keySet().stream().filter(n -> !reference.containsKey(n)).sorted().toList();
    boolean passed = missing.isEmpty() && outputs.stream().allMatch(OutputComparison::passed);
    return new AccuracyReport(passed, precision, tolerance, outputs, missing, extra);
  }

  public static OutputComparison compare(HostTensor reference, HostTensor engine, Tolerance tol) {
    long[] rs = reference.shape();
    long[] es = engine.shape();
    boolean sameCount = reference.elementCount() == engine.elementCount();
    boolean shapeMismatch = !Arrays.equals(rs, es) && !(sameCount && reference.elementCount() == 1);
    boolean dtypeMismatch = reference.type() != engine.type();
    boolean kindMismatch = kind(reference.type()) != kind(engine.type());
    if (!sameCount) {
      String problem =
          "shape " + dims(es) + " (" + engine.elementCount() + " elements) cannot be compared with the reference shape "
              + dims(rs) + " (" + reference.elementCount() + " elements)";
      return new OutputComparison(
          reference.name(), false, problem, reference.type().name(), engine.type().name(), rs, es, true,
          dtypeMismatch, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0);
    }
    int n = Math.toIntExact(reference.elementCount());
    double maxAbs = 0, maxRel = 0, sumAbs = 0, dot = 0, normR = 0, normE = 0;
    long within = 0, nanMismatches = 0, counted = 0;
    for (int i = 0; i < n; i++) {
      double b = reference.get(i);
      double a = engine.get(i);
      if (tol.within(a, b)) {
        within++;
      }
      if (Double.isNaN(a) || Double.isNaN(b)) {
        if (Double.isNaN(a) != Double.isNaN(b)) {
          nanMismatches++;
        }
        continue;
      }
      double err = a == b ? 0 : Math.abs(a - b); // equal infinities differ by 0, not NaN
      counted++;
      maxAbs = Math.max(maxAbs, err);
      sumAbs += err;
      if (b != 0) {
        maxRel = Math.max(maxRel, err / Math.abs(b));
      }
      dot += a * b;
      normR += b * b;
      normE += a * a;
    }
    double cosine;
    if (normR == 0 && normE == 0) {
      cosine = 1; // both all-zero: identical direction by convention
    } else if (normR == 0 || normE == 0) {
      cosine = 0;
    } else {
      cosine = dot / (Math.sqrt(normR) * Math.sqrt(normE));
      cosine = Math.max(-1, Math.min(1, cosine));
    }
    double share = n == 0 ? 1 : (double) within / n;
    double meanAbs = counted == 0 ? 0 : sumAbs / counted;

    String problem = null;
    if (kindMismatch) {
      problem = "element type " + engine.type() + " is not comparable with the reference's " + reference.type();
    } else if (shapeMismatch) {
      problem = "shape " + dims(es) + " differs from the reference shape " + dims(rs);
    } else if (share < tol.minWithinShare()) {
      problem =
          String.format(
              Locale.ROOT, "%.4f%% of elements within atol %.3g + rtol %.3g (need %.4f%%); max abs error %.6g",
              share * 100, tol.atol(), tol.rtol(), tol.minWithinShare() * 100, maxAbs);
    } else if (tol.minCosine() >= 0 && cosine < tol.minCosine()) {
      problem = String.format(Locale.ROOT, "cosine similarity %.6f below %.6f", cosine, tol.minCosine());
    }
    return new OutputComparison(
        reference.name(), problem == null, problem, reference.type().name(), engine.type().name(), rs, es,
        shapeMismatch, dtypeMismatch, n, maxAbs, maxRel, meanAbs, cosine, share, nanMismatches);
  }

  /** Floating point, integer or bool: values of different widths in the same kind compare numerically. */
  private static int kind(ElementType t) {
    return t.isFloatingPoint() ? 0 : t == ElementType.BOOL ? 2 : 1;
  }

  private static String dims(long[] s) {
    if (s.length == 0) {
      return "[] (scalar)";
    }
    return Arrays.toString(s);
  }
}
