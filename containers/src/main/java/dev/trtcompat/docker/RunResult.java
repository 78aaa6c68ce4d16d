package dev.trtcompat.docker;

import java.time.Duration;
import java.time.Instant;

/**
 * How a container run ended.
 *
 * @param runId trt-compat's id of the run (also the container's {@code dev.trtcompat.run} label)
 * @param outcome exited on its own, stopped at the time limit, or cancelled
 * @param exitCode the process exit code; for stopped runs the code the engine recorded (137 after SIGKILL)
 * @param oomKilled the kernel killed the container for exceeding its memory limit
 * @param queuedFor time spent waiting for a GPU slot
 * @param created when the engine created the container
 * @param started when the container's process started, null when it never did
 * @param finished when the process ended, null when it never started
 * @param timeout the run's time limit
 * @param memoryLimitBytes the run's memory limit
 */
public record RunResult(String runId, RunOutcome outcome, int exitCode, boolean oomKilled, Duration queuedFor,
    Instant created, Instant started, Instant finished, Duration timeout, long memoryLimitBytes) {

  /** How a run ended. */
  public enum RunOutcome {
    /** The process exited by itself (successfully or not). */
    EXITED,
    /** The wall-clock limit passed and the container was stopped. */
    TIMED_OUT,
    /** The caller cancelled the run. */
    CANCELLED
  }

  public boolean succeeded() {
    return outcome == RunOutcome.EXITED && exitCode == 0 && !oomKilled;
  }

  public boolean timedOut() {
    return outcome == RunOutcome.TIMED_OUT;
  }

  public boolean cancelled() {
    return outcome == RunOutcome.CANCELLED;
  }

  /** Process run time as the engine measured it; zero when it never started. */
  public Duration runTime() {
    return started == null || finished == null ? Duration.ZERO : Duration.between(started, finished);
  }

  /**
   * Returns this result when the run succeeded.
   *
   * @throws ContainerRunException saying whether it ran out of memory, timed out, was cancelled or exited non-zero
   */
  public RunResult requireSuccess(String what) {
    if (succeeded()) {
      return this;
    }
    throw ContainerRunException.of(this, what);
  }
}
