package dev.trtcompat.trtexec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.Finding;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real parse failure comes with the static checker's finding for the node it stopped at. */
class NodeFindingsTest {

  @TempDir static Path dir;
  static OnnxModel model;
  static TrtexecLog nonZeroLog;

  /** 84 Relu nodes, then the NonZero node the real TensorRT 8.x log fails at (node 84, NonZero_559). */
  @BeforeAll
  static void buildModelAndReadLog() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g");
    for (int i = 0; i < 84; i++) {
      g.addNode(NodeProto.newBuilder().setOpType("Relu").setName("Relu_" + i)
          .addInput(i == 0 ? "x" : "t" + (i - 1)).addOutput("t" + i));
    }
    g.addNode(NodeProto.newBuilder().setOpType("NonZero").setName("NonZero_559").addInput("t83").addOutput("onnx::Transpose_634"));
    g.addInput(value("x", 1, 4)).addOutput(value("onnx::Transpose_634", 7, 1));
    ModelProto m = ModelProto.newBuilder().setIrVersion(7)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build();
    Path file = dir.resolve("nonzero84.onnx");
    Files.write(file, m.toByteArray());
    model = OnnxModelReader.read(file);
    try (InputStream in = NodeFindingsTest.class.getResourceAsStream(
        LogFixtures.DIR + "trt8.x-nonzero-unsupported-plugin-not-found.log")) {
      nonZeroLog = LogExplainer.explain(in);
    }
  }

  private static ValueInfoProto value(String name, int elemType, long dim) {
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(
            TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(dim))))).build();
  }

  @Test
  void theFailingNodeGetsThePredictedReasonForTheReleaseThatRan() {
    ModelNodeMatch match = ModelNodeMatch.of(nonZeroLog.failingNode(), model, "8.4.3");

    assertThat(match.position()).isEqualTo(84);
    assertThat(match.modelOp()).isEqualTo("NonZero");
    NodeFindings sc = match.staticCheck();
    assertThat(sc.checkedRelease()).isEqualTo("8.4");
    assertThat(sc.findings()).extracting(Finding::rule).contains("op.unsupported");
    assertThat(sc.findings()).allSatisfy(f -> assertThat(f.nodeIndex()).isEqualTo(84));
    assertThat(sc.findings().get(0).fix()).contains("8.5");
  }

  @Test
  void aReleaseThatSupportsTheOpHasNoErrorForIt() {
    NodeFindings sc = ModelNodeMatch.of(nonZeroLog.failingNode(), model, "8.6").staticCheck();

    assertThat(sc.checkedRelease()).isEqualTo("8.6");
    assertThat(sc.findings()).noneMatch(f -> f.rule().equals("op.unsupported"));
  }

  @Test
  void aReleaseNewerThanTheKnowledgeBaseIsCheckedAgainstTheClosestOlderOneAndSaysSo() {
    NodeFindings sc = ModelNodeMatch.of(nonZeroLog.failingNode(), model, "99.1").staticCheck();

    assertThat(sc.checkedRelease()).isNotNull();
    assertThat(sc.note()).contains("99.1 is not in the knowledge base", "closest older release");
  }

  @Test
  void noVersionMeansNoGuess() {
    NodeFindings sc = ModelNodeMatch.of(nonZeroLog.failingNode(), model, null).staticCheck();

    assertThat(sc.checkedRelease()).isNull();
    assertThat(sc.findings()).isEmpty();
    assertThat(sc.note()).contains("does not print its TensorRT version");
  }
}
