package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeSelectionTest {

  private static final GraphProto GRAPH = GraphProto.newBuilder()
      .addNode(NodeProto.newBuilder().setName("conv1").setOpType("Conv"))
      .addNode(NodeProto.newBuilder().setOpType("Relu"))
      .addNode(NodeProto.newBuilder().setName("head").setOpType("Gemm").setDomain("com.example"))
      .build();

  @Test
  void namesAndOperatorTypesMatchAndTheRestComeBackInOrder() {
    assertThat(NodeSelection.unmatched(GRAPH, List.of("Softmax", "conv1", "Relu", "head", "fc", "Gemm")))
        .containsExactly("Softmax", "fc");
  }

  @Test
  void anOperatorTypeDoesNotMatchAsANameOfAnotherCase() {
    assertThat(NodeSelection.unmatched(GRAPH, List.of("conv", "relu"))).containsExactly("conv", "relu");
    assertThat(NodeSelection.unmatched(GRAPH, List.of())).isEmpty();
  }
}
