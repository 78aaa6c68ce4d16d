package dev.trtcompat.quantize;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The wall time a sensitivity analysis may take, read on an injectable clock: what is left, whether a piece of work
 * whose cost was estimated from earlier measurements still fits, and the stop rule calibration follows.
 */
final class TimeBudget {

  private final LongSupplier clock;
  private final long start;
  private final long nanos;

  TimeBudget(LongSupplier clock, Duration budget) {
    this.clock = clock;
    this.nanos = budget.toNanos();
    this.start = clock.getAsLong();
  }

  long now() {
    return clock.getAsLong();
  }

  /** Nanoseconds left; negative once overrun. */
  long leftNanos() {
    return start + nanos - clock.getAsLong();
  }

  Duration left() {
    return Duration.ofNanos(Math.max(0, leftNanos()));
  }

  /** Whether work estimated to take {@code costNanos} ends within the budget if started now. */
  boolean fits(long costNanos) {
    return leftNanos() >= costNanos;
  }

  /**
   * Calibration's stop rule: it may run until {@code share} of the budget is spent (counted from the start of the
   * analysis); before each sample after the first, it stops when one more sample, at the mean time a sample has
   * taken so far, would end past that point. The first sample always runs: scales need one.
   */
  Calibrator.SampleLimit calibrationUpTo(double share) {
    long end = start + Math.round(nanos * share);
    long[] calibrationStart = new long[1];
    return done -> {
      long now = clock.getAsLong();
      if (done == 0) {
        calibrationStart[0] = now;
        return false;
      }
      return now + (now - calibrationStart[0]) / done > end;
    };
  }

  /** {@code progress}, with the budget left beside every report. */
  Progress showingLeft(Progress progress) {
    return (phase, done, total) -> progress.report(phase, done, total, left());
  }
}
