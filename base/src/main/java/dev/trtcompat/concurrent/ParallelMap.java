package dev.trtcompat.concurrent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A function applied to every item of a list on a few threads, the calling thread among them, results in the
 * list's order. For start-up work made of independent pieces (the knowledge base's release files): on a machine
 * with a free core the pieces overlap instead of queueing on one thread.
 */
public final class ParallelMap {

  private ParallelMap() {}

  /**
   * {@code fn} of every item, in order, on up to {@code threads} threads (this one included; helpers are daemon
   * threads that end with the work). When an item fails, the remaining items are skipped and the first failure
   * seen is rethrown as it was thrown (as by {@link Futures#join}).
   */
  public static <T, R> List<R> inOrder(List<T> items, int threads, Function<? super T, ? extends R> fn) {
    Object[] out = new Object[items.size()];
    AtomicInteger next = new AtomicInteger();
    Runnable work = () -> {
      try {
        for (int i = next.getAndIncrement(); i < out.length; i = next.getAndIncrement()) {
          out[i] = fn.apply(items.get(i));
        }
      } catch (RuntimeException | Error e) {
        next.set(out.length); // the others stop after their current item
        throw e;
      }
    };
    int helpers = Math.max(0, Math.min(threads, items.size()) - 1);
    List<CompletableFuture<Void>> others = new ArrayList<>(helpers);
    ThreadFactory threadsFor = DaemonThreads.named("parallel-map-");
    for (int k = 0; k < helpers; k++) {
      others.add(CompletableFuture.runAsync(work, r -> threadsFor.newThread(r).start()));
    }
    work.run();
    others.forEach(Futures::join); // also publishes the helpers' results to this thread
    @SuppressWarnings("unchecked")
    List<R> results = (List<R>) Collections.unmodifiableList(Arrays.asList(out));
    return results;
  }

  /** The threads worth using for CPU-bound start-up work: the machine's cores, at most {@code cap}. */
  public static int cores(int cap) {
    return Math.max(1, Math.min(cap, Runtime.getRuntime().availableProcessors()));
  }
}
