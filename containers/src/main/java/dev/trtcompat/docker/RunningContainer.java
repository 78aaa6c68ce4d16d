package dev.trtcompat.docker;

import dev.trtcompat.errors.UserFacingException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** A handle on one submitted run: its queue position, cancellation, and its result once it ends. */
public final class RunningContainer {

  private final String runId;
  final CompletableFuture<Void> cancelSignal = new CompletableFuture<>();
  final AtomicReference<DeviceSlots.Ticket> ticket = new AtomicReference<>();
  final AtomicReference<String> containerId = new AtomicReference<>();
  private volatile Future<RunResult> result;

  RunningContainer(String runId) {
    this.runId = runId;
  }

  void attach(Future<RunResult> result) {
    this.result = result;
  }

  public String runId() {
    return runId;
  }

  /** The engine's container id once created; empty before and for runs cancelled while queued. */
  public String containerId() {
    String id = containerId.get();
    return id == null ? "" : id;
  }

  /**
   * 0 while running or done; otherwise 1 + the number of earlier runs it waits behind for a GPU slot; -1 while
   * the run has not reached the queue yet (its image is being checked or pulled).
   */
  public int queuePosition() {
    if (result != null && result.isDone()) {
      return 0;
    }
    DeviceSlots.Ticket t = ticket.get();
    return t == null ? -1 : t.position();
  }

  /** Stops the run: a queued run leaves the queue, a running container is stopped. The result says CANCELLED. */
  public void cancel() {
    cancelSignal.complete(null);
  }

  public boolean isDone() {
    return result != null && result.isDone();
  }

  /**
   * Waits for the run to end.
   *
   * @throws UserFacingException the run could not be carried out (engine down, image missing, no NVIDIA runtime),
   *     or TIMEOUT when it did not end within {@code maxWait}
   */
  public RunResult await(Duration maxWait) {
    try {
      return result.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new UserFacingException(UserFacingException.Kind.TIMEOUT, "run_wait_timeout",
          "Run " + runId + " did not end within " + maxWait.toSeconds() + " s of waiting.");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      throw new UserFacingException(UserFacingException.Kind.CONFLICT, "interrupted", "Interrupted while waiting for run " + runId + ".");
    }
  }
}
