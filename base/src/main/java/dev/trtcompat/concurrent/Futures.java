package dev.trtcompat.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting on work done on another thread as if it had run on this one. */
public final class Futures {

  private Futures() {}

  /**
   * The future's result; when the work itself failed, its own unchecked exception (a UserFacingException keeps its
   * kind and message) or error is rethrown as it was thrown, not wrapped in a CompletionException.
   */
  public static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
