package dev.trtcompat.bench;

import java.util.Arrays;

/**
 * Every latency of one URL, kept exactly (nanoseconds in a growing array) so percentiles are exact rather
 * than bucketed: a 60 s run at a few thousand requests per second is a few MB.
 */
final class Latencies {

  private long[] nanos = new long[1024];
  private int count;
  private boolean sorted = true;

  void add(long latencyNanos) {
    if (count == nanos.length) {
      nanos = Arrays.copyOf(nanos, count * 2);
    }
    nanos[count++] = latencyNanos;
    sorted = false;
  }

  void addAll(Latencies other) {
    for (int i = 0; i < other.count; i++) {
      add(other.nanos[i]);
    }
  }

  int count() {
    return count;
  }

  /**
   * The nearest-rank percentile in milliseconds: the smallest recorded value with at least {@code p}
   * percent of the values at or below it. NaN when nothing was recorded.
   */
  double percentileMillis(double p) {
    if (p <= 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    if (count == 0) {
      return Double.NaN;
    }
    if (!sorted) {
      Arrays.sort(nanos, 0, count);
      sorted = true;
    }
    // p * count first: p / 100 * count can round 99% of 100 up to 99.00000000000001 and so to rank 100.
    int rank = (int) Math.ceil(p * count / 100.0);
    return nanos[Math.max(rank, 1) - 1] / 1e6;
  }

  double maxMillis() {
    return percentileMillis(100);
  }
}
