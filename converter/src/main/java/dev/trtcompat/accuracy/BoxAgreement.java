package dev.trtcompat.accuracy;

import dev.trtcompat.reference.HostTensor;

/**
 * Intersection over union of detection boxes: the output named as boxes holds corners {@code (x1, y1, x2, y2)} in
 * its last dimension of 4. Each reference box is matched with the other model's box that overlaps it most (the
 * counts may differ after non-maximum suppression); a reference box with no overlapping box scores 0.
 */
public final class BoxAgreement {

  /** Boxes compared, the sum of their IoUs, and how many reached IoU 0.5. */
  public record Counts(long boxes, double iouSum, long atLeastHalf) {
    public Counts plus(Counts o) {
      return new Counts(boxes + o.boxes, iouSum + o.iouSum, atLeastHalf + o.atLeastHalf);
    }

    public double meanIou() {
      return boxes == 0 ? Double.NaN : iouSum / boxes;
    }
  }

  private BoxAgreement() {}

  public static boolean looksLikeBoxes(HostTensor t) {
    long[] s = t.shape();
    return t.type().isFloatingPoint() && s.length >= 1 && s[s.length - 1] == 4;
  }

  public static Counts count(HostTensor reference, HostTensor other) {
    int a = Math.toIntExact(reference.elementCount() / 4);
    int b = Math.toIntExact(other.elementCount() / 4);
    double sum = 0;
    long half = 0;
    for (int i = 0; i < a; i++) {
      double best = 0;
      for (int j = 0; j < b; j++) {
        best = Math.max(best, iou(reference, i * 4, other, j * 4));
      }
      sum += best;
      if (best >= 0.5) {
        half++;
      }
    }
    return new Counts(a, sum, half);
  }

  static double iou(HostTensor r, int at, HostTensor o, int bt) {
    double ax1 = Math.min(r.get(at), r.get(at + 2));
    double ay1 = Math.min(r.get(at + 1), r.get(at + 3));
    double ax2 = Math.max(r.get(at), r.get(at + 2));
    double ay2 = Math.max(r.get(at + 1), r.get(at + 3));
    double bx1 = Math.min(o.get(bt), o.get(bt + 2));
    double by1 = Math.min(o.get(bt + 1), o.get(bt + 3));
    double bx2 = Math.max(o.get(bt), o.get(bt + 2));
    double by2 = Math.max(o.get(bt + 1), o.get(bt + 3));
    double iw = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
    double ih = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
    double inter = iw * ih;
    double union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
    if (union <= 0) {
      return ax1 == bx1 && ay1 == by1 && ax2 == bx2 && ay2 == by2 ? 1 : 0;
    }
    return inter / union;
  }
}
