package dev.trtcompat.accuracy;

import dev.trtcompat.reference.HostTensor;

/**
 * Intersection over union of detection boxes, box by box: the output named as boxes holds corners
 * {@code (x1, y1, x2, y2)} in its last dimension of 4, and box {@code i} of one model is compared with box {@code i}
 * of the other (the same anchor or query). When the counts differ (after non-maximum suppression) the shorter list is
 * compared and the missing boxes count as IoU 0.
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
    long a = reference.elementCount() / 4;
    long b = other.elementCount() / 4;
    long n = Math.max(a, b);
    double sum = 0;
    long half = 0;
    for (int i = 0; i < Math.min(a, b); i++) {
      double iou = iou(reference, other, i * 4);
      sum += iou;
      if (iou >= 0.5) {
        half++;
      }
    }
    return new Counts(n, sum, half);
  }

  static double iou(HostTensor r, HostTensor o, int at) {
    double ax1 = Math.min(r.get(at), r.get(at + 2));
    double ay1 = Math.min(r.get(at + 1), r.get(at + 3));
    double ax2 = Math.max(r.get(at), r.get(at + 2));
    double ay2 = Math.max(r.get(at + 1), r.get(at + 3));
    double bx1 = Math.min(o.get(at), o.get(at + 2));
    double by1 = Math.min(o.get(at + 1), o.get(at + 3));
    double bx2 = Math.max(o.get(at), o.get(at + 2));
    double by2 = Math.max(o.get(at + 1), o.get(at + 3));
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
