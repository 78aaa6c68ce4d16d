package dev.trtcompat.quantize;

/**
 * The KL threshold search written the slow, literal way (build P and Q for every candidate, O(i) each), as in the
 * GTC 2017 pseudocode, with the same smoothing and tie rule as {@link EntropyThreshold}: the oracle its fast form is
 * tested against.
 */
final class DirectEntropy {

  private static final double EPS = 1e-4;

  private DirectEntropy() {}

  static int bestBinCount(long[] bins) {
    int n = bins.length;
    long[] suffix = new long[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      suffix[i] = suffix[i + 1] + bins[i];
    }
    double best = Double.POSITIVE_INFINITY;
    long bestOutliers = Long.MAX_VALUE;
    int bestI = n;
    double[] p = new double[n];
    double[] q = new double[n];
    for (int i = 128; i <= n; i++) {
      for (int j = 0; j < i; j++) {
        p[j] = bins[j];
      }
      p[i - 1] += suffix[i];
      for (int level = 0; level < 128; level++) {
        int start = (int) ((long) level * i / 128);
        int end = (int) ((long) (level + 1) * i / 128);
        double total = 0;
        int nonZero = 0;
        for (int j = start; j < end; j++) {
          total += bins[j];
          nonZero += bins[j] != 0 ? 1 : 0;
        }
        for (int j = start; j < end; j++) {
          q[j] = bins[j] == 0 ? 0 : total / nonZero;
        }
      }
      double kl = divergence(p, q, i);
      // the same tie rule: within TIE, the candidate with fewer values beyond it, then the smaller
      if (kl < best - EntropyThreshold.TIE || (kl <= best + EntropyThreshold.TIE && suffix[i] < bestOutliers)) {
        best = Math.min(kl, best);
        bestOutliers = suffix[i];
        bestI = i;
      }
    }
    return bestI;
  }

  static double divergence(double[] p, double[] q, int i) {
    double sumP = 0;
    double sumQ = 0;
    int holes = 0;
    for (int j = 0; j < i; j++) {
      sumP += p[j];
      sumQ += q[j];
      if (q[j] == 0 && p[j] > 0) {
        holes++;
      }
    }
    if (sumQ == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double keep = 1 - EPS * holes;
    double kl = 0;
    for (int j = 0; j < i; j++) {
      if (p[j] > 0) {
        double pn = p[j] / sumP;
        double qn = q[j] == 0 ? EPS : q[j] / sumQ * keep;
        kl += pn * Math.log(pn / qn);
      }
    }
    return kl;
  }
}
