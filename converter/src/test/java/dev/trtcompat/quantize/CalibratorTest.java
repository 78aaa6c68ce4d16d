package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
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
 * Calibration reads later samples' activations from two sets of output buffers it pinned after the first sample,
 * in turn, filling one sample's histograms on other threads while ONNX Runtime (not spinning) runs the next; the
 * histograms must be exactly those of outputs copied to the heap one sample at a time from a default (spinning)
 * session, also when samples of another shape come between. And the histogram's bulk, chunked reads of a direct
 * buffer must bin every element as an element-by-element count does.
 */
class CalibratorTest {

  @Test
  void pinnedOutputsGiveTheSameHistogramsAsOutputsCopiedToTheHeap() {
    ModelProto m = ModelFiles.load(QuantizeFixtures.EXPORTS.resolve("classification_mobilenet_v2.onnx"));
    Set<String> tensors = QdqPlacement.plan(new GraphIndex(m.getGraph()), List.of()).activations().keySet();
    CalibrationSet data = new SyntheticCalibrationSet(7, 7, InputShapes.NONE); // both pinned sets, an odd count
    List<Integer> indices = List.of(0, 1, 2, 3, 4, 5, 6);

    Calibrator.Statistics stats = Calibrator.collect(m, tensors, ModelInput.of(m.getGraph()), data, indices, 2, Progress.NONE);

    assertThat(stats.nonFloat()).isEmpty();
    assertThat(stats.histograms()).hasSize(tensors.size()).hasSizeGreaterThan(50);
    assertSameAsCopiedOutputs(stats, m, tensors, data, indices);
  }

  @Test
  void samplesOfAnotherShapeBetweenOverlappedOnesKeepEachHistogramInSampleOrder() {
    // x[batch,4,8,8] -> Conv -> Relu -> Conv -> Relu: pinned for batch 1 (the first sample), batch 2 goes through
    // the copying path, after the overlapped histograms of the samples before it are done
    ModelProto m = QuantizeFixtures.model(13, GraphProto.newBuilder().setName("dynamic")
        .addInput(QuantizeFixtures.value("x", ElementType.FLOAT, -1, 4, 8, 8))
        .addOutput(QuantizeFixtures.value("y", ElementType.FLOAT, -1, 4, 8, 8))
        .addInitializer(QuantizeFixtures.randomWeights("w1", 1, 4, 4, 3, 3))
        .addInitializer(QuantizeFixtures.randomWeights("w2", 2, 4, 4, 3, 3))
        .addNode(QuantizeFixtures.node("Conv", "c1", new String[] {"x", "w1"}, new String[] {"a"}, QuantizeFixtures.ints("pads", 1, 1, 1, 1)))
        .addNode(QuantizeFixtures.node("Relu", "r1", new String[] {"a"}, new String[] {"b"}))
        .addNode(QuantizeFixtures.node("Conv", "c2", new String[] {"b", "w2"}, new String[] {"c"}, QuantizeFixtures.ints("pads", 1, 1, 1, 1)))
        .addNode(QuantizeFixtures.node("Relu", "r2", new String[] {"c"}, new String[] {"y"}))
        .build());
    Set<String> tensors = QdqPlacement.plan(new GraphIndex(m.getGraph()), List.of()).activations().keySet();
    SyntheticCalibrationSet one = new SyntheticCalibrationSet(9, 3, InputShapes.NONE);
    SyntheticCalibrationSet two = new SyntheticCalibrationSet(9, 4, InputShapes.parse("x:2x4x8x8"));
    List<Integer> twos = List.of(3, 6, 7);
    CalibrationSet data = new CalibrationSet() {
      @Override
      public int size() {
        return 9;
      }

      @Override
      public Map<String, HostTensor> sample(int index, List<ModelInput> inputs) {
        return (twos.contains(index) ? two : one).sample(index, inputs);
      }

      @Override
      public String label(int index) {
        return "sample " + index;
      }

      @Override
      public String description() {
        return "batches of 1 and 2";
      }

      @Override
      public String sha256() {
        return "";
      }

      @Override
      public boolean synthetic() {
        return true;
      }
    };
    List<Integer> indices = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8);

    Calibrator.Statistics stats = Calibrator.collect(m, tensors, ModelInput.of(m.getGraph()), data, indices, 2, Progress.NONE);

    assertThat(stats.histograms()).containsOnlyKeys("x", "b"); // the inputs of the two Convs
    assertSameAsCopiedOutputs(stats, m, tensors, data, indices);
  }

  /**
   * The histograms calibration collected equal those of every exposed output copied to the heap one sample at a
   * time, in sample order, from a default (spinning) session.
   */
  private static void assertSameAsCopiedOutputs(
      Calibrator.Statistics stats, ModelProto m, Set<String> tensors, CalibrationSet data, List<Integer> indices) {
    GraphIndex g = new GraphIndex(m.getGraph());
    List<ModelInput> inputs = ModelInput.of(m.getGraph());
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
    expected.forEach((t, h) -> {
      TensorHistogram got = stats.histograms().get(t);
      assertThat(got.count()).as(t).isEqualTo(h.count()).isPositive();
      assertThat(got.maxAbs()).as(t).isEqualTo(h.maxAbs());
      assertThat(got.range()).as(t).isEqualTo(h.range());
      assertThat(got.zeros()).as(t).isEqualTo(h.zeros());
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
