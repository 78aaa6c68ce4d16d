package dev.trtcompat.quantize;

/**
 * The KL-divergence threshold search of TensorRT's (legacy) entropy calibrator, written from its published
 * description: Szymon Migacz, "8-bit Inference with TensorRT", GTC 2017, session S7310, slide "Entropy
 * Calibration - pseudocode" (http://on-demand.gputechconf.com/gtc/2017/presentation/s7310-8-bit-inference-with-tensorrt.pdf).
 *
 * <p>For every candidate bin count {@code i} from 128 to 2048: the reference distribution P is the first {@code i}
 * bins with every bin beyond folded into the last one (clipping); the candidate Q quantizes the same first {@code i}
 * bins into 128 levels and expands each level back over the bins it covers, spread evenly over the bins that were
 * non-zero; both are normalised and the divergence KL(P||Q) is computed. The {@code i} with the smallest divergence
 * wins and the threshold is {@code (i + 0.5)} bin widths, as on the slide.
 *
 * <p>Bins where P has mass and Q has none would make the divergence infinite; as open implementations do, Q gives
 * each such bin a probability of 1e-4, taken proportionally from its non-zero bins, before the comparison.
 */
final class EntropyThreshold {

  static final int LEVELS = 128;
  private static final double EPS = 1e-4;

  private EntropyThreshold() {}

  /** The threshold in the units of {@code binWidth}. */
  static double amax(long[] bins, double binWidth) {
    return (bestBinCount(bins) + 0.5) * binWidth;
  }

  /** The bin count i in [128, bins.length] whose clipped distribution diverges least from its quantized form. */
  static int bestBinCount(long[] bins) {
    int n = bins.length;
    long[] suffix = new long[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] + bins[i];
    }
    double best = Double.POSITIVE_INFINITY;
    int bestI = n;
    double[] p = new double[n];
    double[] q = new double[n];
    for (int i = LEVELS; i <= n; i++) {
      for (int j = 0; j < i; j++) {
        p[j] = bins[j];
      }
      p[i - 1] += suffix[i];
      quantizeAndExpand(bins, i, q);
      double kl = divergence(p, q, i);
      if (kl < best) {
        best = kl;
        bestI = i;
      }
    }
    return bestI;
  }

  /** Q over the first i bins: 128 levels, each spread evenly over the non-zero bins it covers. */
  private static void quantizeAndExpand(long[] bins, int i, double[] q) {
    for (int level = 0; level < LEVELS; level++) {
      int start = (int) ((long) level * i / LEVELS);
      int end = (int) ((long) (level + 1) * i / LEVELS);
      double total = 0;
      int nonZero = 0;
      for (int j = start; j < end; j++) {
        total += bins[j];
        if (bins[j] != 0) {
          nonZero++;
        }
      }
      double each = nonZero == 0 ? 0 : total / nonZero;
      for (int j = start; j < end; j++) {
        q[j] = bins[j] == 0 ? 0 : each;
      }
    }
  }

  /** KL(P||Q) over the first i entries after normalising both; Q is smoothed where P has mass and Q has none. */
  static double divergence(double[] p, double[] q, int i) {
    double sumP = 0;
    double sumQ = 0;
    int holes = 0;
    int qNonZero = 0;
    for (int j = 0; j < i; j++) {
      sumP += p[j];
      sumQ += q[j];
      if (q[j] == 0 && p[j] > 0) {
        holes++;
      }
      if (q[j] > 0) {
        qNonZero++;
      }
    }
    if (sumP == 0) {
      return 0;
    }
    if (sumQ == 0 || qNonZero == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double keep = 1 - EPS * holes; // the mass handed to the holes comes out of Q's non-zero bins
    double kl = 0;
    for (int j = 0; j < i; j++) {
      if (p[j] == 0) {
        continue;
      }
      double pn = p[j] / sumP;
      double qn = q[j] == 0 ? EPS : q[j] / sumQ * keep;
      kl += pn * Math.log(pn / qn);
    }
    return kl;
  }
}
