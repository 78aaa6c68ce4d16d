package dev.trtcompat.quantize;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A histogram of absolute values of one tensor, fed batch by batch with fixed memory.
 *
 * <p>Symmetric INT8 needs only |x|, so the histogram covers [0, range] in {@link #BINS} equal bins. When a batch
 * holds a larger value the range doubles (as often as needed) and neighbouring bins are merged pairwise, so the
 * histogram never grows and never has to see the data twice. Besides the bins it keeps the exact maximum of |x|,
 * the smallest non-zero |x| and the count of non-finite values (NaN and infinities are left out of the bins).
 */
public final class TensorHistogram {

  /** TensorRT's entropy calibrator works on 2048 bins (GTC 2017, S7310 "8-bit Inference with TensorRT"). */
  public static final int BINS = 2048;

  private final long[] bins = new long[BINS];
  private double range; // upper edge of the last bin; 0 until a non-zero value is seen
  private double maxAbs;
  private double minNonZeroAbs = Double.POSITIVE_INFINITY;
  private long count;
  private long zeros;
  private long nonFinite;

  /** Elements read from a buffer at a time: bulk copies into a small array beat element-wise buffer reads. */
  private static final int CHUNK = 4 * 1024;

  /** A chunk is packed (its zeros counted, not binned) when the chunk before it had at least 1/8 zeros. */
  private static final int PACK_ABOVE_ZEROS = 8;

  /** Bits of |x| at and above which a float is infinite or NaN. */
  private static final int NON_FINITE_BITS = 0x7f800000;

  /** One scratch per thread, not per histogram: a model can have thousands of histograms. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    final float[] chunk = new float[CHUNK];
    /** The chunk's non-zero |x| bits, packed (see {@link #binNonZero}). */
    final int[] nonZero = new int[CHUNK];
    /**
     * Counts per bin of one batch, twice {@link #BINS} long so that the bin index is masked into range instead of
     * clamped: slot {@code BINS} holds the values at exactly the range (the definition's last bin), and slots above
     * it receive values only from a batch whose maximum is beyond the range, which is then binned again anyway.
     */
    final int[] counts = new int[2 * BINS];
    int maxBits;
    int minNonZeroBits;
    long zeros;
  }

  /**
   * Adds every element of {@code values} (from its position to its limit).
   *
   * <p>One pass bins the batch at the current range into per-thread counters while it finds the batch's largest
   * |x|, its smallest non-zero |x| and its zeros (branch-free, on the float bits). Only when that maximum is beyond
   * the range is the batch binned again after widening; when the batch holds NaN or infinities it is redone with
   * the element-by-element loop. Either way the bins, counts and extremes are exactly those of widening first and
   * then binning each finite |x| at {@code (int) (|x| * BINS / range)} (the test holds this against that loop).
   */
  public void add(FloatBuffer values) {
    FloatBuffer v = values.duplicate();
    Scratch s = SCRATCH.get();
    int from = v.position();
    int to = v.limit();
    binAndMeasure(v, from, to, perBin(), s);
    if (s.maxBits >= NON_FINITE_BITS) {
      addWithNonFinite(v, from, to, s.chunk);
      return;
    }
    float batchMax = Float.intBitsToFloat(s.maxBits);
    if (batchMax > range) {
      widenTo(batchMax);
      binAndMeasure(v, from, to, perBin(), s);
    }
    int[] counts = s.counts;
    for (int i = 0; i < BINS; i++) {
      bins[i] += counts[i];
    }
    bins[BINS - 1] += counts[BINS];
    count += to - from;
    zeros += s.zeros;
    if (s.minNonZeroBits != Integer.MAX_VALUE) {
      minNonZeroAbs = Math.min(minNonZeroAbs, Float.intBitsToFloat(s.minNonZeroBits));
    }
    if (batchMax > maxAbs) {
      maxAbs = batchMax;
    }
  }

  private double perBin() {
    return range == 0 ? 0 : BINS / range;
  }

  /**
   * Bins {@code [from, to)} into {@code s.counts} at {@code perBin} and leaves in {@code s} the largest |x| (as
   * float bits; at or over {@link #NON_FINITE_BITS} when the batch holds NaN or infinity), the smallest non-zero
   * |x| (as float bits; {@code Integer.MAX_VALUE} when none) and the number of zeros.
   *
   * <p>A chunk is binned one of two ways, with the same result: after a ReLU about half the values are exact zeros,
   * so a chunk that follows one with many zeros first packs its non-zero values (branch-free) and bins only those,
   * the zeros being all bin 0 at any range and neither extreme; a chunk after one with few zeros is binned whole,
   * where packing would only add a pass (measured in docs/benchmarks.md).
   */
  private static void binAndMeasure(FloatBuffer v, int from, int to, double perBin, Scratch s) {
    Arrays.fill(s.counts, 0);
    s.maxBits = 0;
    s.minNonZeroBits = Integer.MAX_VALUE;
    s.zeros = 0;
    boolean pack = true;
    for (int start = from; start < to; start += CHUNK) {
      int n = read(v, s.chunk, start, Math.min(CHUNK, to - start));
      int zeros = pack ? binNonZero(s, n, perBin) : binAll(s, n, perBin);
      s.zeros += zeros;
      pack = zeros >= n / PACK_ABOVE_ZEROS;
    }
  }

  /** Packs the chunk's non-zero |x| bits, bins those and counts the zeros into bin 0; returns the zeros. */
  private static int binNonZero(Scratch s, int n, double perBin) {
    float[] chunk = s.chunk;
    int[] nonZero = s.nonZero;
    int k = 0;
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToRawIntBits(chunk[i]) & 0x7fffffff;
      nonZero[k] = bits;
      k += -bits >>> 31; // 1 unless bits is 0
    }
    int[] counts = s.counts;
    int maxBits = s.maxBits;
    int minBits = s.minNonZeroBits;
    // The maximum and minimum are plain branches: after a batch's first values they are rarely taken and well
    // predicted, so no element waits on the previous one as through a chain of conditional moves (Math.max).
    for (int i = 0; i < k; i++) {
      int bits = nonZero[i];
      if (bits > maxBits) {
        maxBits = bits;
      }
      if (bits < minBits) {
        minBits = bits;
      }
      counts[(int) (Float.intBitsToFloat(bits) * perBin) & (2 * BINS - 1)]++;
    }
    counts[0] += n - k;
    s.maxBits = maxBits;
    s.minNonZeroBits = minBits;
    return n - k;
  }

  /** Bins the whole chunk, counting zeros without a branch (a coin toss after a ReLU); returns the zeros. */
  private static int binAll(Scratch s, int n, double perBin) {
    float[] chunk = s.chunk;
    int[] counts = s.counts;
    int maxBits = s.maxBits;
    int minLess1 = Integer.MAX_VALUE;
    int zeros = 0;
    for (int i = 0; i < n; i++) {
      int bits = Float.floatToRawIntBits(chunk[i]) & 0x7fffffff;
      if (bits > maxBits) {
        maxBits = bits;
      }
      // bits - 1 wraps zero to the top (masked to MAX_VALUE), so the minimum skips zeros without a test of its own
      int less1 = (bits - 1) & 0x7fffffff;
      if (less1 < minLess1) {
        minLess1 = less1;
      }
      zeros += (bits - 1) >>> 31;
      counts[(int) (Float.intBitsToFloat(bits) * perBin) & (2 * BINS - 1)]++;
    }
    s.maxBits = maxBits;
    if (minLess1 != Integer.MAX_VALUE) {
      s.minNonZeroBits = Math.min(s.minNonZeroBits, minLess1 + 1);
    }
    return zeros;
  }

  /** The element-by-element path for a batch holding NaN or infinities (left out of the bins, counted apart). */
  private void addWithNonFinite(FloatBuffer v, int from, int to, float[] chunk) {
    float batchMax = 0;
    for (int start = from; start < to; start += CHUNK) {
      int n = read(v, chunk, start, Math.min(CHUNK, to - start));
      for (int i = 0; i < n; i++) {
        float a = Math.abs(chunk[i]);
        if (a > batchMax && a != Float.POSITIVE_INFINITY) {
          batchMax = a;
        }
      }
    }
    widenTo(batchMax);
    double perBin = perBin();
    for (int start = from; start < to; start += CHUNK) {
      int n = read(v, chunk, start, Math.min(CHUNK, to - start));
      for (int i = 0; i < n; i++) {
        float a = Math.abs(chunk[i]);
        if (!Float.isFinite(a)) {
          nonFinite++;
          continue;
        }
        count++;
        if (a == 0) {
          zeros++;
          bins[0]++;
          continue;
        }
        if (a < minNonZeroAbs) {
          minNonZeroAbs = a;
        }
        int bin = (int) (a * perBin);
        bins[bin >= BINS ? BINS - 1 : bin]++;
      }
    }
    if (batchMax > maxAbs) {
      maxAbs = batchMax;
    }
  }

  private static int read(FloatBuffer v, float[] chunk, int start, int n) {
    v.position(start);
    v.get(chunk, 0, n);
    return n;
  }

  /** Adds values given as an array (tests, and sources that are not native buffers). */
  public void add(float... values) {
    add(FloatBuffer.wrap(values));
  }

  private void widenTo(double value) {
    if (value <= range) {
      return;
    }
    if (range == 0) {
      // Only zeros so far (all in bin 0, which stays bin 0 at any range).
      range = value;
      return;
    }
    int doublings = 0;
    double r = range;
    while (r < value) {
      r *= 2;
      doublings++;
    }
    int factor = 1 << Math.min(doublings, 30);
    for (int i = 0; i < BINS; i++) {
      long c = bins[i];
      bins[i] = 0;
      bins[i / factor] += c;
    }
    range = r;
  }

  public long[] bins() {
    return bins.clone();
  }

  /**
   * How many finite values lie in bins wholly above {@code threshold} (lower edge at or over it): a lower bound of
   * the values a clipping range of {@code threshold} saturates, exact to one bin. 0 for a threshold at or beyond the
   * range, and for a histogram of zeros.
   */
  public long countAbove(double threshold) {
    if (range == 0 || threshold >= range) {
      return 0;
    }
    long above = 0;
    // bin 0 is never counted: it holds the zeros (and a threshold at or below 0 starts there)
    for (int i = Math.max(1, (int) Math.ceil(threshold / binWidth())); i < BINS; i++) {
      above += bins[i];
    }
    return above;
  }

  /** Width of one bin; 0 while every value seen was zero. */
  public double binWidth() {
    return range / BINS;
  }

  public double range() {
    return range;
  }

  public double maxAbs() {
    return maxAbs;
  }

  /** The smallest non-zero |x| seen; infinity when none. */
  public double minNonZeroAbs() {
    return minNonZeroAbs;
  }

  /** Finite values counted. */
  public long count() {
    return count;
  }

  public long zeros() {
    return zeros;
  }

  public long nonFinite() {
    return nonFinite;
  }
}
