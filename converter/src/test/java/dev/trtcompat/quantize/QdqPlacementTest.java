package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QdqPlacementTest {

  private static final GraphIndex NET = new GraphIndex(QuantizeFixtures.residualNet(13).getGraph());

  @Test
  void weightedOpsResidualAddAndPoolingGetQdqOnTheirInputs() {
    QdqPlacement.Plan plan = QdqPlacement.plan(NET, List.of());
    // x feeds c1 (node 0) and the residual Add (node 3): one shared pair, both consumers read it.
    assertThat(plan.activations()).containsEntry("x", Set.of(0, 3));
    assertThat(plan.activations()).containsEntry("b", Set.of(2));
    // c2's output only feeds the residual Add: TensorRT fuses the Add into c2, so only the skip input x is quantized
    assertThat(plan.activations()).containsEntry("d", Set.of(4)); // MaxPool input
    assertThat(plan.activations()).containsEntry("f", Set.of(6)); // Gemm input
    assertThat(plan.activations()).doesNotContainKeys("a", "c", "e", "y", "fc_b"); // Relu, fused Add, Flatten inputs
    assertThat(plan.weights()).containsOnlyKeys(
        new QdqPlacement.WeightSite("w1", 0), new QdqPlacement.WeightSite("w2", 0),
        new QdqPlacement.WeightSite("fc_w", 0)); // Gemm with transB=1: output channels on axis 0
  }

  @Test
  void anAddOfTwoConvolutionsFusesTheFirstAndQuantizesTheOther() {
    // x -> Conv ca -> a; x -> Conv cb -> b (a projection shortcut); Add(a, b) -> d
    var g = GraphProto.newBuilder().setName("two_convs")
        .addInput(QuantizeFixtures.value("x", ElementType.FLOAT, 1, 4, 8, 8))
        .addOutput(QuantizeFixtures.value("d", ElementType.FLOAT, 1, 4, 8, 8))
        .addInitializer(QuantizeFixtures.randomWeights("w1", 1, 4, 4, 1, 1))
        .addInitializer(QuantizeFixtures.randomWeights("w2", 2, 4, 4, 1, 1))
        .addNode(QuantizeFixtures.node("Conv", "ca", new String[] {"x", "w1"}, new String[] {"a"}))
        .addNode(QuantizeFixtures.node("Conv", "cb", new String[] {"x", "w2"}, new String[] {"b"}))
        .addNode(QuantizeFixtures.node("Add", "res", new String[] {"a", "b"}, new String[] {"d"}))
        .build();
    QdqPlacement.Plan plan = QdqPlacement.plan(new GraphIndex(g), List.of());
    assertThat(plan.activations()).containsOnlyKeys("x", "b");
    assertThat(plan.activations()).containsEntry("b", Set.of(2));
  }

  @Test
  void aConvolutionOutputWithOtherReadersCannotBeFusedSoEveryAddInputIsQuantized() {
    // x -> Conv ca -> a; a -> Relu -> r (an output); Add(a, x) -> d
    var g = GraphProto.newBuilder().setName("shared_conv_output")
        .addInput(QuantizeFixtures.value("x", ElementType.FLOAT, 1, 4, 8, 8))
        .addOutput(QuantizeFixtures.value("r", ElementType.FLOAT, 1, 4, 8, 8))
        .addOutput(QuantizeFixtures.value("d", ElementType.FLOAT, 1, 4, 8, 8))
        .addInitializer(QuantizeFixtures.randomWeights("w1", 1, 4, 4, 1, 1))
        .addNode(QuantizeFixtures.node("Conv", "ca", new String[] {"x", "w1"}, new String[] {"a"}))
        .addNode(QuantizeFixtures.node("Relu", "relu", new String[] {"a"}, new String[] {"r"}))
        .addNode(QuantizeFixtures.node("Add", "res", new String[] {"a", "x"}, new String[] {"d"}))
        .build();
    QdqPlacement.Plan plan = QdqPlacement.plan(new GraphIndex(g), List.of());
    assertThat(plan.activations()).containsEntry("a", Set.of(2)).containsEntry("x", Set.of(0, 2));
  }

  @Test
  void aGemmWithoutTransBHasItsOutputChannelsOnAxisOne() {
    // x[1,6] -> Gemm(x, w[6,4]) -> y[1,4]: with transB=0 the weight is [K, N], N output channels on axis 1. No real
    // model of RealModelsQuantizeTest has one (their classifiers are transB=1), so this is the only test of it.
    var g = GraphProto.newBuilder().setName("gemm_plain")
        .addInput(QuantizeFixtures.value("x", ElementType.FLOAT, 1, 6))
        .addOutput(QuantizeFixtures.value("y", ElementType.FLOAT, 1, 4))
        .addInitializer(QuantizeFixtures.randomWeights("w", 1, 6, 4))
        .addNode(QuantizeFixtures.node("Gemm", "fc", new String[] {"x", "w"}, new String[] {"y"}))
        .build();
    assertThat(QdqPlacement.plan(new GraphIndex(g), List.of()).weights())
        .containsOnlyKeys(new QdqPlacement.WeightSite("w", 1));
  }

  @Test
  void excludedNodesAndOperatorsGetNone() {
    QdqPlacement.Plan plan = QdqPlacement.plan(NET, List.of("fc", "MaxPool"));
    assertThat(plan.activations()).doesNotContainKeys("f", "d");
    assertThat(plan.weights().keySet()).extracting(QdqPlacement.WeightSite::tensor).doesNotContain("fc_w");
    assertThat(plan.excludedNodes()).containsExactly("pool", "fc");
  }

  @Test
  void anExclusionThatMatchesNothingIsRefused() {
    assertThatThrownBy(() -> QdqPlacement.plan(NET, List.of("conv_that_is_not_there")))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("conv_that_is_not_there")
        .extracting(e -> ((UserFacingException) e).kind())
        .isEqualTo(UserFacingException.Kind.BAD_REQUEST);
  }

  @Test
  void rewriteKeepsTopologicalOrderAndScales() {
    QdqPlacement.Plan plan = QdqPlacement.plan(NET, List.of());
    var amax = Map.of("x", 1.27, "b", 2.54, "c", 1.0, "d", 0.0, "f", 3.0);
    var m = QdqRewriter.rewrite(QuantizeFixtures.residualNet(13), plan, amax, Map.of("k", "v"));
    var nodes = m.getGraph().getNodeList();
    java.util.Set<String> known = new java.util.HashSet<>(Set.of("x"));
    m.getGraph().getInitializerList().forEach(t -> known.add(t.getName()));
    for (var n : nodes) {
      assertThat(known).as("inputs of %s defined before it", n.getName()).containsAll(n.getInputList());
      known.addAll(n.getOutputList());
    }
    assertThat(nodes.stream().filter(n -> n.getOpType().equals("QuantizeLinear")).count()).isEqualTo(4 + 3);
    var xScale = m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("x_scale")).findFirst().orElseThrow();
    assertThat(xScale.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat())
        .isEqualTo(0.01f);
    assertThat(m.getMetadataPropsList()).anyMatch(e -> e.getKey().equals("k") && e.getValue().equals("v"));
  }
}
