package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Calibration reads later samples' activations from output buffers it pinned after the first sample, on a session
 * whose intra-op threads do not spin; the histograms must be exactly those of outputs copied to the heap one sample
 * at a time from a default (spinning) session. And the histogram's bulk, chunked reads
 * of a direct buffer must bin every element as an element-by-element count does.
 */
class CalibratorTest {

  @Test
  void pinnedOutputsGiveTheSameHistogramsAsOutputsCopiedToTheHeap() {
    ModelProto m = ModelFiles.load(QuantizeFixtures.EXPORTS.resolve("classification_mobilenet_v2.onnx"));
    GraphIndex g = new GraphIndex(m.getGraph());
    Set<String> tensors = QdqPlacement.plan(g, List.of()).activations().keySet();
    List<ModelInput> inputs = ModelInput.of(m.getGraph());
    CalibrationSet data = new SyntheticCalibrationSet(4, 7, InputShapes.NONE);
    List<Integer> indices = List.of(0, 1, 2, 3);

    Calibrator.Statistics stats = Calibrator.collect(m, tensors, inputs, data, indices, 2, Progress.NONE);

    Set<String> fromRuns = new LinkedHashSet<>(tensors);
    fromRuns.removeIf(g::isGraphInput);
    Map<String, TensorHistogram> expected = new LinkedHashMap<>();
    tensors.forEach(t -> expected.put(t, new TensorHistogram()));
    try (OrtModelSession s = new OrtModelSession(Calibrator.exposing(m, fromRuns), "reference", 2)) {
      for (int i : indices) {
        Map<String, HostTensor> sample = data.sample(i, inputs);
        sample.forEach((name, t) -> {
          if (expected.containsKey(name)) {
            expected.get(name).add(t.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
          }
        });
        s.run(sample, fromRuns, (name, v) -> expected.get(name).add(((OnnxTensor) v).getFloatBuffer()));
      }
    }
    assertThat(stats.nonFloat()).isEmpty();
    assertThat(stats.histograms()).hasSize(tensors.size()).hasSizeGreaterThan(50);
    expected.forEach((t, h) -> {
      TensorHistogram got = stats.histograms().get(t);
      assertThat(got.count()).as(t).isEqualTo(h.count()).isPositive();
      assertThat(got.maxAbs()).as(t).isEqualTo(h.maxAbs());
      assertThat(got.range()).as(t).isEqualTo(h.range());
      assertThat(got.bins()).as(t).isEqualTo(h.bins());
    });
  }

  @Test
  void chunkedReadsOfADirectBufferBinEveryElement() {
    int n = 100_003; // several chunks and a partial one
    FloatBuffer direct = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    SplittableRandom r = new SplittableRandom(3);
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i == 7 ? Float.NaN : i == 11 ? 0f : (float) (r.nextGaussian() * 3);
      direct.put(i, values[i]);
    }
    direct.position(5); // the histogram reads from the position to the limit
    TensorHistogram h = new TensorHistogram();
    h.add(direct);

    double max = 0;
    for (int i = 5; i < n; i++) {
      max = Float.isNaN(values[i]) ? max : Math.max(max, Math.abs(values[i]));
    }
    long[] bins = new long[TensorHistogram.BINS];
    for (int i = 5; i < n; i++) {
      if (!Float.isNaN(values[i])) {
        int b = (int) (Math.abs(values[i]) * (TensorHistogram.BINS / max));
        bins[Math.min(b, TensorHistogram.BINS - 1)]++;
      }
    }
    assertThat(h.maxAbs()).isEqualTo((float) max);
    assertThat(h.nonFinite()).isEqualTo(1);
    assertThat(h.zeros()).isEqualTo(1);
    assertThat(h.count()).isEqualTo(n - 5 - 1);
    assertThat(h.bins()).isEqualTo(bins);
    assertThat(direct.position()).isEqualTo(5); // the caller's buffer is left as it was
  }

  @Test
  void tensorsAreSplitIntoGroupsOfAboutEqualElementCountsLargestFirst() {
    Map<String, FloatBuffer> buffers = new LinkedHashMap<>();
    int[] sizes = {10, 700, 300, 300, 90, 5};
    for (int i = 0; i < sizes.length; i++) {
      buffers.put("t" + i, FloatBuffer.allocate(sizes[i]));
    }
    List<List<String>> groups = ParallelHistograms.balanced(buffers, 2);
    assertThat(groups).containsExactly(List.of("t1", "t5"), List.of("t2", "t3", "t4", "t0"));
    assertThat(ParallelHistograms.balanced(buffers, 1)).containsExactly(List.of("t1", "t2", "t3", "t4", "t0", "t5"));
  }
}
