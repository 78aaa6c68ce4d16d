package dev.trtcompat.trtexec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.trtexec.TrtexecLog.FailingNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelNodeMatchTest {

  /** Celu expanded into Constant, Div, Elu, Mul (unnamed nodes), from Debian's libonnx-testdata. */
  static final Path CELU = Path.of("/usr/share/libonnx-testdata/data/node/test_celu_expanded/model.onnx");
  static final String ELU_OUT = "Celu_test_celu_expanded_function_Elu_Result";

  private static NodeProto node(String op, String name, String output) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addOutput(output).build();
  }

  @Test
  void indexPointsAtTheSameNodeInTheRealModel() {
    List<NodeProto> nodes = OnnxModelReader.read(CELU).graph().nodes();
    TrtexecLog log = TrtexecLog.parse("While parsing node number 2 [Elu -> \"" + ELU_OUT + "\"]:\n"
        + "ERROR: builtin_op_importers.cpp:100 In function importElu:\n[8] Assertion failed: something\n");
    ModelNodeMatch m = ModelNodeMatch.of(log.failingNode(), nodes);
    assertThat(m.found()).isTrue();
    assertThat(m.modelNodeCount()).isEqualTo(4);
    assertThat(m.modelOp()).isEqualTo("Elu");
    assertThat(m.modelOutput()).isEqualTo(ELU_OUT);
    assertThat(m.opAgrees()).isTrue();
    assertThat(m.outputAgrees()).isTrue();
    assertThat(m.nameAgrees()).isNull();
    assertThat(m.summary()).isEqualTo("Node #2 of 4 in the model is Elu (unnamed); it matches the log.");
  }

  @Test
  void disagreementIsSaidAndTheLikelyNodeFound() {
    List<NodeProto> nodes = OnnxModelReader.read(CELU).graph().nodes();
    ModelNodeMatch m = ModelNodeMatch.of(new FailingNode(1, "Elu", null, ELU_OUT), nodes);
    assertThat(m.opAgrees()).isFalse();
    assertThat(m.modelOp()).isEqualTo("Div");
    assertThat(m.elsewhereIndex()).isEqualTo(2);
    assertThat(m.summary())
        .contains("does NOT match the log (log op Elu log output '" + ELU_OUT + "')")
        .endsWith("the logged node looks like #2.");
  }

  @Test
  void indexBeyondTheGraphMeansAnotherModel() {
    ModelNodeMatch m = ModelNodeMatch.of(new FailingNode(84, "NonZero", "NonZero_559", null),
        List.of(node("Relu", "r", "y")));
    assertThat(m.found()).isFalse();
    assertThat(m.summary()).isEqualTo(
        "The log names node #84 but the model's main graph has 1 node(s): the log was not produced from this model file.");
  }

  @Test
  void nameMismatchAloneIsReported() {
    ModelNodeMatch m = ModelNodeMatch.of(new FailingNode(0, "NonZero", "NonZero_559", null),
        List.of(node("NonZero", "NonZero_1", "z"), node("Relu", "NonZero_559", "w")));
    assertThat(m.opAgrees()).isTrue();
    assertThat(m.nameAgrees()).isFalse();
    assertThat(m.elsewhereIndex()).isEqualTo(1);
  }
}
