package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** {@code inspect} through the real command line: output, exit codes, and one-line errors for bad files. */
class InspectCommandTest {

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = TrtCompatCommand.newCommandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private static ValueInfoProto value(String name, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      shape.addDim(
          d instanceof String s
              ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
              : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) d).longValue()));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape)))
        .build();
  }

  static ModelProto model(TensorProto weight) {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("tests")
        .setProducerVersion("1.0")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("me"))
        .setGraph(
            GraphProto.newBuilder()
                .setName("g")
                .addInput(value("x", "batch", 4))
                .addOutput(value("y", "batch", 4))
                .addInitializer(weight)
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("w").addOutput("s"))
                .addNode(NodeProto.newBuilder().setDomain("com.microsoft").setOpType("Gelu").addInput("s").addOutput("y")))
        .build();
  }

  static TensorProto weight() {
    return TensorProto.newBuilder().setName("w").setDataType(1).addDims(4).setRawData(ByteString.copyFrom(new byte[16])).build();
  }

  private Path write(String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void inspectPrintsJson() throws Exception {
    Path m = write("m.onnx", model(weight()).toByteArray());
    Run r = run("inspect", "--json", m.toString());
    assertThat(r.exit).isZero();
    assertThat(r.err).isEmpty();
    JsonNode j = Json.mapper().readTree(r.out);
    assertThat(j.get("irVersion").asInt()).isEqualTo(8);
    assertThat(j.get("opsetImports").get("ai.onnx").asInt()).isEqualTo(17);
    assertThat(j.get("inputs").get(0).get("shape").toString()).isEqualTo("[\"batch\",4]");
    assertThat(j.get("ops").get("com.microsoft:Gelu").asInt()).isEqualTo(1);
    assertThat(j.get("initializerBytes").asLong()).isEqualTo(16);
    assertThat(j.get("metadata").get("author").asText()).isEqualTo("me");
  }

  @Test
  void inspectPrintsAReadableSummary() throws Exception {
    Path m = write("m.onnx", model(weight()).toByteArray());
    Run r = run("inspect", m.toString());
    assertThat(r.exit).isZero();
    assertThat(r.out)
        .contains("IR version      8")
        .contains("Opsets          ai.onnx 17")
        .contains("Initializers    1, 16 B")
        .contains("com.microsoft:Gelu")
        .contains("author = me");
  }

  private void assertBadInput(Path p, String expected) {
    Run r = run("inspect", "--json", p.toString());
    assertThat(r.exit).as(r.err).isEqualTo(2);
    assertThat(r.out).isEmpty();
    assertThat(r.err).startsWith("error: ").contains(expected).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(r.err.strip().lines()).hasSize(1);
  }

  @Test
  void emptyFile() throws Exception {
    assertBadInput(write("empty.onnx", new byte[0]), "is empty");
  }

  @Test
  void folder() throws Exception {
    assertBadInput(Files.createDirectory(dir.resolve("models")), "is a folder");
  }

  @Test
  void missingFile() {
    assertBadInput(dir.resolve("nope.onnx"), "does not exist");
  }

  @Test
  void randomBytes() throws Exception {
    for (int seed = 0; seed < 50; seed++) {
      byte[] b = new byte[1000];
      new Random(seed).nextBytes(b);
      assertBadInput(write("r.onnx", b), "");
    }
  }

  @Test
  void truncatedModel() throws Exception {
    byte[] full = model(weight()).toByteArray();
    for (int cut = 1; cut < full.length; cut += 7) {
      assertBadInput(write("cut.onnx", Arrays.copyOf(full, cut)), "");
    }
  }

  @Test
  void tensorIsNotAModel() throws Exception {
    assertBadInput(write("t.pb", weight().toByteArray()), "not an ONNX model");
  }

  @Test
  void lengthPrefixLargerThanTheFile() throws Exception {
    assertBadInput(write("l.onnx", new byte[] {0x08, 0x08, 0x3a, (byte) 0xc0, (byte) 0x84, 0x3d, 0x0a}), "declares 1000000 bytes");
  }

  @Test
  void unknownElementType() throws Exception {
    assertBadInput(write("u.onnx", model(weight().toBuilder().setDataType(99).build()).toByteArray()), "element type 99");
  }

  @Test
  void deeplyNestedSubgraphs() throws Exception {
    GraphProto g = GraphProto.newBuilder().addNode(NodeProto.newBuilder().setOpType("Identity")).build();
    for (int i = 0; i < 150; i++) {
      g = GraphProto.newBuilder()
          .addNode(NodeProto.newBuilder().setOpType("If").addAttribute(
              dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.newBuilder().setName("then_branch").setType(
                  dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.AttributeType.GRAPH).setG(g)))
          .build();
    }
    ModelProto m = model(weight()).toBuilder().setGraph(g).build();
    assertBadInput(write("deep.onnx", m.toByteArray()), "levels deep");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "../outside.bin", "..\\outside.bin"})
  void externalDataEscapingTheFolder(String location) throws Exception {
    Path sub = Files.createDirectories(dir.resolve("m"));
    Files.write(dir.resolve("outside.bin"), new byte[64]);
    TensorProto ext = TensorProto.newBuilder().setName("w").setDataType(1).addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
        .build();
    assertBadInput(Files.write(sub.resolve("m.onnx"), model(ext).toByteArray()), "initializer 'w'");
  }

  @Test
  void missingExternalDataFile() throws Exception {
    TensorProto ext = TensorProto.newBuilder().setName("w").setDataType(1).addDims(4)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin"))
        .build();
    assertBadInput(write("m.onnx", model(ext).toByteArray()), "'w.bin', which is not next to the model");
  }
}
