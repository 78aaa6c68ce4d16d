package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Calibration exposes, where ONNX Runtime computes them in its blocked channel layout, the blocked tensors instead of
 * their NCHW copies: each must hold exactly the values (as a multiset, bit for bit) of the tensor it stands for, and
 * only whole-block reorders may be dropped.
 */
class BlockedOutputsTest {

  @Test
  void blockedOutputsHoldExactlyTheValuesOfTheTensorsTheyStandFor() {
    String arch = System.getProperty("os.arch");
    assumeTrue(arch.equals("amd64") || arch.equals("x86_64"), "ONNX Runtime's NCHWc layout is an x86 optimization");
    ModelProto m = ModelFiles.load(QuantizeFixtures.EXPORTS.resolve("classification_mobilenet_v2.onnx"));
    GraphIndex g = new GraphIndex(m.getGraph());
    Set<String> tensors = new LinkedHashSet<>(QdqPlacement.plan(g, List.of()).activations().keySet());
    tensors.removeIf(g::isGraphInput);
    ModelProto exposing = Calibrator.exposing(m, tensors);
    ModelProto optimized = OrtModelSession.optimizedForm(exposing, "MobileNetV2", 2);

    BlockedOutputs blocked = BlockedOutputs.of(optimized, tensors);

    Map<String, Long> reorderChannels = new HashMap<>();
    for (NodeProto n : optimized.getGraph().getNodeList()) {
      if (n.getOpType().equals("ReorderOutput")) {
        reorderChannels.put(n.getOutput(0), n.getAttributeList().stream()
            .filter(a -> a.getName().equals("channels")).findFirst().orElseThrow().getI());
      }
    }
    Set<String> moved = new LinkedHashSet<>(tensors);
    moved.removeIf(t -> blocked.outputOf(t).equals(t));
    assertThat(moved).as("tensors read in the blocked layout").hasSizeGreaterThan(20);
    moved.forEach(t -> assertThat(reorderChannels.get(t) % 16).as(t).isZero());
    assertThat(reorderChannels.keySet()).as("reorders of a partial block are kept (MobileNetV2 has 24 channels)")
        .anyMatch(t -> reorderChannels.get(t) % 16 != 0 && blocked.outputOf(t).equals(t));
    assertThat(blocked.model().getGraph().getNodeList()).noneMatch(n -> moved.contains(n.getOutput(0)));

    Map<String, HostTensor> sample =
        new SyntheticCalibrationSet(1, 3, InputShapes.NONE).sample(0, ModelInput.of(m.getGraph()));
    Map<String, float[]> nchw = new HashMap<>();
    try (OrtModelSession s = new OrtModelSession(exposing, "NCHW", 2)) {
      s.run(sample, tensors, (name, v) -> nchw.put(name, sorted(((OnnxTensor) v).getFloatBuffer())));
    }
    Map<String, float[]> fromBlocked = new HashMap<>();
    Set<String> outputs = new LinkedHashSet<>();
    tensors.forEach(t -> outputs.add(blocked.outputOf(t)));
    try (OrtModelSession s = new OrtModelSession(blocked.model(), "blocked", 2, false, true)) {
      s.run(sample, outputs, (name, v) -> fromBlocked.put(name, sorted(((OnnxTensor) v).getFloatBuffer())));
    }
    for (String t : tensors) {
      float[] want = nchw.get(t);
      float[] got = fromBlocked.get(blocked.outputOf(t));
      assertThat(got.length).as(t).isEqualTo(want.length);
      for (int i = 0; i < want.length; i++) {
        assertThat(Float.floatToRawIntBits(got[i])).as(t + " [" + i + "]").isEqualTo(Float.floatToRawIntBits(want[i]));
      }
    }
  }

  @Test
  void aBlockedOutputWithPaddedChannelsIsRefusedNotCounted() {
    BlockedOutputs.Outputs outputs = new BlockedOutputs.Outputs(Map.of("t", "blocked"), Map.of("blocked", 64L));

    outputs.requireWhole("blocked", new long[] {1, 64, 7, 7});
    outputs.requireWhole("other", new long[] {1, 24, 7, 7}); // not a blocked output: nothing to check

    assertThatThrownBy(() -> outputs.requireWhole("blocked", new long[] {1, 96, 7, 7}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not 64 channels");
  }

  private static float[] sorted(FloatBuffer b) {
    float[] v = new float[b.remaining()];
    b.get(v);
    Arrays.sort(v); // orders -0.0 before 0.0, so the sign of a zero counts too
    return v;
  }
}
