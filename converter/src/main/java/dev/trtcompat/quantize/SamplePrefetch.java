package dev.trtcompat.quantize;

import dev.trtcompat.concurrent.DaemonThreads;
import dev.trtcompat.concurrent.Futures;
import dev.trtcompat.reference.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Reads calibration samples one ahead on a thread of its own, so that decoding and preprocessing the next image
 * overlaps ONNX Runtime's run of the current one. Samples are read in order, one at a time, as before; a sample that
 * cannot be read fails when it is taken, with its own error.
 */
final class SamplePrefetch implements AutoCloseable {

  private final CalibrationSet data;
  private final List<ModelInput> inputs;
  private final List<Integer> indices;
  private final ExecutorService reader = Executors.newSingleThreadExecutor(DaemonThreads.named("trt-compat-calibration-reader-"));
  private CompletableFuture<Map<String, HostTensor>> next;
  private int taken;

  SamplePrefetch(CalibrationSet data, List<ModelInput> inputs, List<Integer> indices) {
    this.data = data;
    this.inputs = inputs;
    this.indices = List.copyOf(indices);
    this.next = read(0);
  }

  /** The next sample in {@code indices} order; starts reading the one after it. */
  Map<String, HostTensor> take() {
    Map<String, HostTensor> sample = Futures.join(next);
    taken++;
    next = read(taken);
    return sample;
  }

  private CompletableFuture<Map<String, HostTensor>> read(int position) {
    if (position >= indices.size()) {
      return null;
    }
    int index = indices.get(position);
    return CompletableFuture.supplyAsync(() -> data.sample(index, inputs), reader);
  }

  /** Stops reading ahead; waits for a read in flight (one image) so that no thread outlives calibration. */
  @Override
  public void close() {
    reader.shutdownNow();
    try {
      reader.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
