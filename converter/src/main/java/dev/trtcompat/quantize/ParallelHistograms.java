package dev.trtcompat.quantize;

import dev.trtcompat.concurrent.DaemonThreads;
import dev.trtcompat.concurrent.Futures;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Folds one sample's exposed tensors into their histograms on several threads: each histogram is fed by one thread
 * at a time and receives its batches in sample order, so the result is exactly that of a single thread. Either on
 * the caller and the pool while ONNX Runtime is idle ({@link #add}), or on the pool alone while the caller has ONNX
 * Runtime run the next sample ({@link #addAsync}); its intra-op thread count is what is used here too.
 */
final class ParallelHistograms implements AutoCloseable {

  private final int threads;
  private final ExecutorService pool;
  private List<List<String>> groups;

  ParallelHistograms(int threads) {
    this.threads = Math.max(1, threads);
    this.pool = Executors.newFixedThreadPool(this.threads, DaemonThreads.named("trt-compat-histogram-"));
  }

  /**
   * Adds each buffer to the histogram of its name. The buffers are always the same tensors (pinned outputs), so
   * they are split once into groups of about equal element counts, largest first.
   */
  void add(Map<String, FloatBuffer> buffers, Map<String, TensorHistogram> histograms) {
    if (groups == null) {
      groups = balanced(buffers, Math.max(1, Math.min(threads, buffers.size()))); // no idle thread per empty group
    }
    List<CompletableFuture<Void>> others = new ArrayList<>();
    for (int g = 1; g < groups.size(); g++) {
      List<String> group = groups.get(g);
      others.add(CompletableFuture.runAsync(() -> addAll(group, buffers, histograms), pool));
    }
    addAll(groups.get(0), buffers, histograms);
    others.forEach(Futures::join);
  }

  /**
   * Starts adding each buffer to the histogram of its name on the pool's threads and returns at once; the future
   * completes when every buffer has been added. The caller must not change the buffers, nor add to the same
   * histograms, until then.
   */
  CompletableFuture<Void> addAsync(Map<String, FloatBuffer> buffers, Map<String, TensorHistogram> histograms) {
    if (groups == null) {
      groups = balanced(buffers, Math.max(1, Math.min(threads, buffers.size())));
    }
    CompletableFuture<?>[] all = new CompletableFuture<?>[groups.size()];
    for (int g = 0; g < groups.size(); g++) {
      List<String> group = groups.get(g);
      all[g] = CompletableFuture.runAsync(() -> addAll(group, buffers, histograms), pool);
    }
    return CompletableFuture.allOf(all);
  }

  private static void addAll(List<String> names, Map<String, FloatBuffer> buffers, Map<String, TensorHistogram> histograms) {
    for (String name : names) {
      histograms.get(name).add(buffers.get(name));
    }
  }

  /** Longest-processing-time-first: each tensor, largest first, goes to the group with the fewest elements so far. */
  static List<List<String>> balanced(Map<String, FloatBuffer> buffers, int count) {
    List<List<String>> groups = new ArrayList<>();
    long[] load = new long[count];
    for (int g = 0; g < count; g++) {
      groups.add(new ArrayList<>());
    }
    List<Map.Entry<String, FloatBuffer>> bySize = new ArrayList<>(buffers.entrySet());
    bySize.sort(Comparator.comparingInt((Map.Entry<String, FloatBuffer> e) -> e.getValue().remaining()).reversed());
    for (Map.Entry<String, FloatBuffer> e : bySize) {
      int least = 0;
      for (int g = 1; g < count; g++) {
        if (load[g] < load[least]) {
          least = g;
        }
      }
      groups.get(least).add(e.getKey());
      load[least] += e.getValue().remaining();
    }
    return groups;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(30, TimeUnit.SECONDS); // a batch in flight ends in milliseconds; no thread outlives us
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
