package dev.trtcompat.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread factories for the executors the application owns: named after their job, daemon so none holds up exit. */
public final class DaemonThreads {

  private DaemonThreads() {}

  /** Threads named {@code prefix1}, {@code prefix2}, ... */
  public static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
