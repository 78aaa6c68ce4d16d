package dev.trtcompat.quantize;

/** Receives progress of long steps (calibration, evaluation, sensitivity) for a progress line or bar. */
@FunctionalInterface
public interface Progress {

  Progress NONE = (phase, done, total) -> { };

  /** {@code done} of {@code total} units of {@code phase} ("calibrating", "evaluating", ...) are finished. */
  void report(String phase, int done, int total);
}
