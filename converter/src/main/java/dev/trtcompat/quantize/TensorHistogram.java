package dev.trtcompat.quantize;

import java.nio.FloatBuffer;

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
  private static final int CHUNK = 16 * 1024;

  /** One scratch array per thread, not per histogram: a model can have thousands of histograms. */
  private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[CHUNK]);

  /**
   * Adds every element of {@code values} (from its position to its limit). Two passes over the batch, the first for
   * its largest |x| (so the range is widened once), each reading the buffer in bulk chunks.
   */
  public void add(FloatBuffer values) {
    FloatBuffer v = values.duplicate();
    float[] chunk = SCRATCH.get();
    int from = v.position();
    int to = v.limit();
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
    double perBin = range == 0 ? 0 : BINS / range;
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
