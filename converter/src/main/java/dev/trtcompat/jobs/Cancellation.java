package dev.trtcompat.jobs;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a running executor to stop: it can poll {@link #requested()} or register a callback (e.g. kill
 * the container) that runs once, immediately if cancellation already happened.
 */
public final class Cancellation {

  private static final Logger LOG = LoggerFactory.getLogger(Cancellation.class);

  private final List<Runnable> callbacks = new ArrayList<>();
  private String reason;

  public synchronized boolean requested() {
    return reason != null;
  }

  /** Why it was cancelled (by a user, lease lost, instance stopping), or null. */
  public synchronized String reason() {
    return reason;
  }

  public void onCancel(Runnable callback) {
    synchronized (this) {
      if (reason == null) {
        callbacks.add(callback);
        return;
      }
    }
    runQuietly(callback);
  }

  /** Returns true if this call did the cancelling (later calls keep the first reason). */
  boolean cancel(String why) {
    List<Runnable> toRun;
    synchronized (this) {
      if (reason != null) {
        return false;
      }
      reason = why;
      toRun = List.copyOf(callbacks);
      callbacks.clear();
    }
    toRun.forEach(Cancellation::runQuietly);
    return true;
  }

  private static void runQuietly(Runnable callback) {
    try {
      callback.run();
    } catch (RuntimeException e) {
      LOG.warn("cancellation callback failed", e);
    }
  }
}
