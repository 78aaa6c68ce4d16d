package dev.trtcompat.quantize;

import dev.trtcompat.concurrent.Futures;
import dev.trtcompat.quantize.Calibrator.PinnedOutputs;
import dev.trtcompat.reference.HostTensor;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Calibration's runs into pinned outputs, with the histograms of one sample filled on the histogram threads while
 * ONNX Runtime runs the next sample into a second set of outputs. Run one after the other, the histograms wait for
 * ONNX Runtime and ONNX Runtime for the histograms, and the cores ONNX Runtime leaves idle within a run (between its
 * operators, in its serial parts) stay idle; overlapped, the histograms use them. Each histogram still receives its
 * batches in sample order, one sample at a time, so the counts are exactly those of one thread.
 */
final class OverlappedHistograms implements AutoCloseable {

  private final PinnedOutputs first = new PinnedOutputs();
  private final PinnedOutputs second = new PinnedOutputs();
  private final ParallelHistograms parallel;
  private CompletableFuture<Void> filling = CompletableFuture.completedFuture(null);
  private PinnedOutputs reading;

  OverlappedHistograms(int threads) {
    this.parallel = new ParallelHistograms(threads);
  }

  /**
   * Pins outputs of {@code shapes} for samples shaped like {@code sample}: two sets when both fit in
   * {@link PinnedOutputs#MAX_BYTES} together, else one (no overlap), else none (the caller copies outputs).
   */
  void allocate(OrtModelSession session, Map<String, HostTensor> sample, Map<String, long[]> shapes) {
    long half = PinnedOutputs.MAX_BYTES / 2;
    if (!(first.allocate(session, sample, shapes, half) && second.allocate(session, sample, shapes, half))) {
      second.close();
      first.close();
      first.allocate(session, sample, shapes, PinnedOutputs.MAX_BYTES);
    }
  }

  /** Whether {@code sample} can run into the pinned outputs (same input shapes as when they were allocated). */
  boolean fits(Map<String, HostTensor> sample) {
    return first.fits(sample);
  }

  /**
   * Runs {@code sample} into the set the histograms are not reading and starts adding its outputs to
   * {@code histograms} on the histogram threads (with a single set: adds them before returning).
   */
  void run(OrtModelSession session, Map<String, HostTensor> sample, Map<String, TensorHistogram> histograms) {
    if (second.fits(sample)) {
      PinnedOutputs into = reading == first ? second : first;
      session.runInto(sample, into.tensors());
      drain();
      filling = parallel.addAsync(into.buffers(), histograms);
      reading = into;
    } else {
      drain();
      session.runInto(sample, first.tensors());
      parallel.add(first.buffers(), histograms);
    }
  }

  /** Waits until the histograms being filled are done: before anything else adds to them or reads them. */
  void drain() {
    Futures.join(filling);
  }

  @Override
  public void close() {
    parallel.close(); // waits for a batch in flight before its buffers are released
    second.close();
    first.close();
  }
}
