package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fix} through the real command line: report, exit codes, one-line errors, no output on bad input. */
class FixCommandTest {

  @TempDir Path dir;

  private static ValueInfoProto value(String name, int type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      shape.addDim(d instanceof String s ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
          : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape))).build();
  }

  private static AttributeProto text(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value)).build();
  }

  /** {@code g} as a model file (IR 8) in the test's folder. */
  private Path write(String file, GraphProto g, long opset) throws Exception {
    ModelProto m = ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build();
    return Files.write(dir.resolve(file), m.toByteArray());
  }

  /** HardSwish (opset 14) on a dynamic batch: 8.2 lacks HardSwish, and the input needs a profile. */
  private Path model() throws Exception {
    GraphProto g = GraphProto.newBuilder().setName("hs")
        .addNode(NodeProto.newBuilder().setOpType("HardSwish").setName("hs").addInput("x").addOutput("y"))
        .addInput(value("x", 1, "batch", 8))
        .addOutput(value("y", 1, "batch", 8))
        .build();
    return write("hs.onnx", g, 14);
  }

  @Test
  void fixesAndReportsVerdictsBeforeAndAfterAsJson() throws Exception {
    Path out = dir.resolve("out/fixed.onnx");
    InspectCommandTest.Run r = InspectCommandTest.run(
        "fix", model().toString(), "--trt", "8.2,8.6", "--shapes", "x:2x8", "--out", out.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = Json.mapper().readTree(r.out());
    assertThat(j.get("status").asText()).isEqualTo("fixed");
    assertThat(j.get("proven").asBoolean()).isTrue();
    assertThat(j.get("releases").get(0).get("before").asText()).isEqualTo("incompatible");
    assertThat(j.get("passesApplied").toString()).contains("shapes", "decompose-hardswish");
    assertThat(out).isRegularFile();
  }

  @Test
  void int64IoMakesInt64InputsAndOutputsInt32OnlyWhenAsked() throws Exception {
    GraphProto g = GraphProto.newBuilder().setName("twice")
        .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("n").addInput("n").addOutput("y"))
        .addInput(value("n", 7, 4))
        .addOutput(value("y", 7, 4))
        .build();
    Path src = write("twice.onnx", g, 13);
    Path out = dir.resolve("twice-fixed.onnx");
    InspectCommandTest.Run r = InspectCommandTest.run(
        "fix", src.toString(), "--trt", "8.6", "--int64-io", "--out", out.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = Json.mapper().readTree(r.out());
    assertThat(j.get("proven").asBoolean()).isTrue();
    assertThat(j.get("passesApplied").toString()).contains("int64-io");
    ModelProto fixed = ModelProto.parseFrom(Files.readAllBytes(out));
    assertThat(fixed.getGraph().getInput(0).getType().getTensorType().getElemType()).isEqualTo(6);
    assertThat(fixed.getGraph().getOutput(0).getType().getTensorType().getElemType()).isEqualTo(6);

    Path plain = dir.resolve("twice-plain.onnx");
    InspectCommandTest.Run d = InspectCommandTest.run(
        "fix", src.toString(), "--trt", "8.6", "--out", plain.toString(), "--json");
    assertThat(d.exit()).as(d.err()).isZero();
    assertThat(Json.mapper().readTree(d.out()).get("passesApplied").toString()).doesNotContain("int64-io");
  }

  @Test
  void humanReportShowsPassesVerdictsAndErrors() throws Exception {
    Path out = dir.resolve("fixed.onnx");
    InspectCommandTest.Run r = InspectCommandTest.run("fix", model().toString(), "--trt", "8.2", "--out", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("pass decompose-hardswish", "applied", "verdict: incompatible on 8.2 →",
        "proven equivalent by ONNX Runtime", "max abs");
  }

  @Test
  void badInputExitsTwoWithOneLineAndNoOutputFile() throws Exception {
    Path src = model();
    Path out = dir.resolve("never.onnx");
    for (String[] args : new String[][] {
        {"fix", src.toString(), "--passes", "nope", "--out", out.toString()},
        {"fix", src.toString(), "--shapes", "x:2x9", "--out", out.toString()},
        {"fix", src.toString(), "--trt", "6.0", "--out", out.toString()},
        {"fix", Files.write(dir.resolve("junk.onnx"), new byte[] {9, 9, 9}).toString(), "--out", out.toString()}}) {
      InspectCommandTest.Run r = InspectCommandTest.run(args);
      assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.err().strip().lines()).singleElement().asString().startsWith("error: ");
      assertThat(out).doesNotExist();
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void aResizeWithAnEmptySizesLosesItFor72AndTheReportSaysWhichNode() throws Exception {
    // Resize(x, roi, scales, ""): 7.2's importer counts four inputs and converts a null sizes
    GraphProto g = GraphProto.newBuilder().setName("up")
        .addNode(NodeProto.newBuilder().setOpType("Resize").setName("up").addInput("x").addInput("roi")
            .addInput("scales").addInput("").addOutput("y")
            .addAttribute(text("mode", "nearest"))
            .addAttribute(text("coordinate_transformation_mode", "asymmetric"))
            .addAttribute(text("nearest_mode", "floor")))
        .addInitializer(TensorProto.newBuilder().setName("roi").setDataType(1).addDims(0))
        .addInitializer(TensorProto.newBuilder().setName("scales").setDataType(1).addDims(4)
            .addFloatData(1).addFloatData(1).addFloatData(2).addFloatData(2))
        .addInput(value("x", 1, 1, 1, 2, 3))
        .addOutput(value("y", 1, 1, 1, 4, 6))
        .build();
    Path src = write("up.onnx", g, 11);
    Path out = dir.resolve("up-fixed.onnx");
    InspectCommandTest.Run r = InspectCommandTest.run(
        "fix", src.toString(), "--trt", "7.2", "--passes", "resize-empty-sizes", "--out", out.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).contains("pass resize-empty-sizes", "declared_empty_input.sizes",
        "verdict: incompatible on 7.2 →", "note: resize-empty-sizes: Resize 'up': trailing empty input(s) dropped",
        "proven equivalent by ONNX Runtime");
    assertThat(ModelProto.parseFrom(Files.readAllBytes(out)).getGraph().getNode(0).getInputList())
        .containsExactly("x", "roi", "scales");
  }

  @Test
  void aRewriteThatChangesOutputsExitsOneAndWritesNothing() throws Exception {
    // n + 2^40 with --int64-io: the INT32 output the pass makes cannot hold the sum, so ONNX Runtime sees it change
    GraphProto g = GraphProto.newBuilder().setName("wide")
        .addNode(NodeProto.newBuilder().setOpType("Add").setName("add").addInput("n").addInput("offset")
            .addOutput("y"))
        .addInitializer(TensorProto.newBuilder().setName("offset").setDataType(7).addDims(1).addInt64Data(1L << 40))
        .addInput(value("n", 7, 4))
        .addOutput(value("y", 7, 4))
        .build();
    Path src = write("wide.onnx", g, 13);
    Path out = dir.resolve("wide-fixed.onnx");
    InspectCommandTest.Run r = InspectCommandTest.run(
        "fix", src.toString(), "--trt", "8.6", "--int64-io", "--out", out.toString());
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.out()).contains("refused: output 'y' changed").contains("int64-io");
    assertThat(out).doesNotExist();
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("wide.onnx");
    }
  }
}
