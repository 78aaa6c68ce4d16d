package dev.trtcompat.accuracy;

import dev.trtcompat.reference.HostTensor;

/**
 * Top-1 and top-5 agreement between a reference output and another model's, for outputs that look like class
 * scores: floating point, shape {@code [N, C]} or {@code [C]} with at least two classes. Top-1 agreement: both pick
 * the same class; top-5 agreement: the reference's top class is among the other's five highest scores.
 */
public final class ClassAgreement {

  /** Rows compared and how many agreed. */
  public record Counts(long rows, long top1, long top5) {
    public Counts plus(Counts o) {
      return new Counts(rows + o.rows, top1 + o.top1, top5 + o.top5);
    }
  }

  private ClassAgreement() {}

  /** True when the output is floating point with a last dimension of classes and at most one batch dimension. */
  public static boolean looksLikeClassScores(HostTensor t) {
    long[] s = t.shape();
    return t.type().isFloatingPoint()
        && ((s.length == 2 && s[1] >= 2) || (s.length == 1 && s[0] >= 2));
  }

  public static Counts count(HostTensor reference, HostTensor other) {
    long[] s = reference.shape();
    int classes = Math.toIntExact(s[s.length - 1]);
    int rows = Math.toIntExact(reference.elementCount() / classes);
    if (other.elementCount() != reference.elementCount()) {
      return new Counts(0, 0, 0);
    }
    long top1 = 0;
    long top5 = 0;
    for (int r = 0; r < rows; r++) {
      int best = argmax(reference, r * classes, classes);
      int otherBest = argmax(other, r * classes, classes);
      if (best == otherBest) {
        top1++;
      }
      double score = other.get(r * classes + best);
      int higher = 0;
      for (int c = 0; c < classes; c++) {
        if (other.get(r * classes + c) > score) {
          higher++;
        }
      }
      if (higher < 5) {
        top5++;
      }
    }
    return new Counts(rows, top1, top5);
  }

  private static int argmax(HostTensor t, int from, int n) {
    int best = 0;
    double v = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double x = t.get(from + i);
      if (x > v) {
        v = x;
        best = i;
      }
    }
    return best;
  }
}
