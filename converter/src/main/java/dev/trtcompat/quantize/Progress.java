package dev.trtcompat.quantize;

import java.time.Duration;
import java.util.Locale;

/** Receives progress of long steps (calibration, evaluation, sensitivity) for a progress line or bar. */
@FunctionalInterface
public interface Progress {

  Progress NONE = (phase, done, total) -> { };

  /** {@code done} of {@code total} units of {@code phase} ("calibrating", "evaluating", ...) are finished. */
  void report(String phase, int done, int total);

  /**
   * The same, for work under a time budget ({@code quantize --sensitivity --budget}): {@code budgetLeft} is what
   * is left of it now. Displays that show it override this; the others show the progress alone.
   */
  default void report(String phase, int done, int total, Duration budgetLeft) {
    report(phase, done, total);
  }

  /** How displays write the budget left, e.g. {@code budget left 84.2 s}. */
  static String budgetLeft(Duration left) {
    return String.format(Locale.ROOT, "budget left %.1f s", left.toMillis() / 1000.0);
  }
}
