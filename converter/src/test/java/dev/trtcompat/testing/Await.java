package dev.trtcompat.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition with an explicit timeout; the failure message says what was awaited. */
public final class Await {

  private Await() {}

  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  public static <T> T until(Duration timeout, String what, Supplier<T> value, java.util.function.Predicate<T> ok) {
    Object[] last = new Object[1];
    until(timeout, what, () -> {
      T v = value.get();
      last[0] = v;
      return ok.test(v);
    });
    @SuppressWarnings("unchecked")
    T result = (T) last[0];
    return result;
  }
}
