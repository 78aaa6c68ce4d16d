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
 *
 * <p>Equal divergences are a tie ({@link #TIE}) and go to the candidate that clips fewer values, where the slide's
 * {@code argmin} takes the first: KL(P||Q) sees the clipping only through the folded last bin, and not at all when
 * that bin is alone in its level, so on a sparse histogram it is 0 both for ranges that saturate most values and
 * for those that saturate none.
 *
 * <p>Exact zeros are left out of the search. Zero is exact in symmetric INT8 at every scale, so they cannot favour
 * one threshold over another; left in, the spike they make in bin 0 (about half of a tensor after a ReLU) is spread
 * by Q over the whole first level, a penalty that grows with the level's width, i.e. with the threshold, and the
 * search clips far too hard (half-normal data with as many zeros: about 2 sigma instead of about 4). NVIDIA's own
 * open implementation of this calibrator removes the spike too, by giving bin 0 the count of bin 1 (NVIDIA/TensorRT,
 * tools/pytorch-quantization, {@code pytorch_quantization/calib/histogram.py}, {@code _compute_amax_entropy}:
 * {@code bins[0] = bins[1]}); our histogram counts the exact zeros, so exactly they are taken out.
 */
final class EntropyThreshold {

  static final int LEVELS = 128;
  private static final double EPS = 1e-4;

  /**
   * Divergences this close are a tie: above the float rounding of the prefix-sum form (about 2e-15 a level, up to
   * about 3e-13 over 128 levels, for values of order 1), and far below the divergences real data gives (the INT8
   * ResNet-18 of docs/quantization.md is byte-identical with and without the rule). A tie goes to the candidate that clips fewer
   * values, then to the smaller one. Without it, a sparse histogram (an input of a few discrete levels) ties at 0
   * between a candidate that folds every level beyond the first into one bin (P and Q the same single spike) and
   * one that clips nothing, and float noise chose between "saturate nearly everything" and "keep everything".
   */
  static final double TIE = 1e-12;

  private EntropyThreshold() {}

  /**
   * The threshold in the units of {@code binWidth}, for a histogram of |x| whose bin 0 holds {@code exactZeros}
   * values that were exactly zero.
   */
  static double amax(long[] bins, long exactZeros, double binWidth) {
    return (bestBinCount(withoutExactZeros(bins, exactZeros)) + 0.5) * binWidth;
  }

  static long[] withoutExactZeros(long[] bins, long exactZeros) {
    if (exactZeros < 0 || exactZeros > bins[0]) {
      throw new IllegalArgumentException("bin 0 holds " + bins[0] + " values, not " + exactZeros + " zeros");
    }
    long[] nonZero = bins.clone();
    nonZero[0] -= exactZeros;
    return nonZero;
  }

  /**
   * The bin count i in [128, bins.length] whose clipped distribution diverges least from its quantized form.
   *
   * <p>Computed in O(128) per candidate with prefix sums instead of O(i): within one level every non-zero bin of Q
   * holds the same value, so the level's share of KL(P||Q) needs only the level's sum of b, sum of b*log(b) and
   * count of non-zero bins. Only the last bin differs from the histogram (it carries the clipped outliers) and is
   * handled on its own. The test checks this against the direct O(i) form.
   */
  static int bestBinCount(long[] bins) {
    int n = bins.length;
    double[] sum = new double[n + 1];
    double[] sumBLogB = new double[n + 1];
    int[] nonZero = new int[n + 1];
    for (int j = 0; j < n; j++) {
      double b = bins[j];
      sum[j + 1] = sum[j] + b;
      sumBLogB[j + 1] = sumBLogB[j] + (b > 0 ? b * Math.log(b) : 0);
      nonZero[j + 1] = nonZero[j] + (b > 0 ? 1 : 0);
    }
    double total = sum[n];
    if (total == 0) {
      return n;
    }
    double logTotal = Math.log(total);
    double best = Double.POSITIVE_INFINITY;
    double bestOutliers = Double.POSITIVE_INFINITY;
    int bestI = n;
    for (int i = LEVELS; i <= n; i++) {
      double kl = divergence(bins, i, sum, sumBLogB, nonZero, total, logTotal);
      double outliers = total - sum[i];
      if (kl < best - TIE || (kl <= best + TIE && outliers < bestOutliers)) {
        best = Math.min(kl, best);
        bestOutliers = outliers;
        bestI = i;
      }
    }
    return bestI;
  }

  private static double divergence(
      long[] bins, int i, double[] sum, double[] sumBLogB, int[] nonZero, double total, double logTotal) {
    double sumQ = sum[i];
    if (sumQ == 0) {
      return Double.POSITIVE_INFINITY;
    }
    double outliers = total - sumQ;
    long lastBin = bins[i - 1];
    int holes = lastBin == 0 && outliers > 0 ? 1 : 0;
    double logKeep = Math.log(1 - EPS * holes);
    double logSumQ = Math.log(sumQ);
    double kl = 0;
    for (int level = 0; level < LEVELS; level++) {
      int start = (int) ((long) level * i / LEVELS);
      int end = (int) ((long) (level + 1) * i / LEVELS);
      double levelSum = sum[end] - sum[start];
      int nz = nonZero[end] - nonZero[start];
      if (nz == 0) {
        continue;
      }
      // log of Q's normalised value at every non-zero bin of this level
      double logQ = Math.log(levelSum / nz) - logSumQ + logKeep;
      double b = levelSum;
      double bLogB = sumBLogB[end] - sumBLogB[start];
      if (end == i && lastBin > 0) {
        b -= lastBin; // the last bin is added below with its outliers
        bLogB -= lastBin * Math.log(lastBin);
      }
      // sum over bins of (b/T) * (log(b/T) - logQ)
      kl += (bLogB - b * logTotal) / total - b / total * logQ;
      if (end == i && lastBin > 0) {
        double p = (lastBin + outliers) / total;
        kl += p * (Math.log(p) - logQ);
      }
    }
    if (holes == 1) {
      double p = outliers / total;
      kl += p * Math.log(p / EPS);
    }
    return kl;
  }
}
