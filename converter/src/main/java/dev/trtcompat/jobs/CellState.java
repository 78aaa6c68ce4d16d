package dev.trtcompat.jobs;

import java.util.EnumSet;
import java.util.Set;

/** Where a cell is in its life; see docs/jobs.md for the transitions. */
public enum CellState {
  /** Waiting for a runner to claim it. */
  QUEUED,
  /** Claimed by one instance, which holds a lease on it. */
  RUNNING,
  /** Ran to the end and produced a result. */
  SUCCEEDED,
  /** Ran, or tried to, and did not produce a result; {@code reason} says why. */
  FAILED,
  /** Stopped or never started because someone cancelled it. */
  CANCELLED,
  /** Not run because the static check says it cannot work; retry with force to run it anyway. */
  SKIPPED,
  /** Its instance died or stopped while running it; re-queued by recovery (or failed after too many tries). */
  INTERRUPTED;

  private static final Set<CellState> UNFINISHED = EnumSet.of(QUEUED, RUNNING, INTERRUPTED);

  /** True while the cell still has work ahead of it: it counts against limits and blocks model deletion. */
  public boolean unfinished() {
    return UNFINISHED.contains(this);
  }

  /** True for states a user may retry from. */
  public boolean retryable() {
    return this == FAILED || this == CANCELLED || this == SUCCEEDED;
  }
}
