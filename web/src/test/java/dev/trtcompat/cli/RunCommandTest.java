package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RunCommandTest {

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  Run run(String... args) {
    CommandLine cl = TrtCompatCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** y = Relu(x), x float [batch, 8]. */
  Path model(String op) throws Exception {
    TensorShapeProto shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(8))
        .build();
    TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape)).build();
    GraphProto g = GraphProto.newBuilder().setName("g")
        .addNode(NodeProto.newBuilder().setOpType(op).addInput("x").addOutput("y"))
        .addInput(ValueInfoProto.newBuilder().setName("x").setType(type))
        .addOutput(ValueInfoProto.newBuilder().setName("y").setType(type))
        .build();
    ModelProto m = ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build();
    return Files.write(dir.resolve(op + ".onnx"), m.toByteArray());
  }

  @Test
  void printsTimingsAndOutputsForPeople() throws Exception {
    Run r = run("run", model("Relu").toString(), "--runs", "5", "--threads", "1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("ONNX Runtime 1.19.2, CPU, 1 intra-op thread(s)")
        .contains("runs        5 timed after 2 warm-up")
        .contains("latency ms  min ")
        .contains("output      y FLOAT 1x8  min 0")
        .contains("note        input 'x': dynamic dimension(s) batch set to 1");
  }

  @Test
  void printsJsonAndKeepsTheReferenceOnDisk() throws Exception {
    Path out = dir.resolve("ref");
    Run r = run("run", model("Relu").toString(), "--shapes", "x:4x8", "--runs", "3", "--out", out.toString(), "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode json = Json.mapper().readTree(r.out());
    assertThat(json.get("runs").asInt()).isEqualTo(3);
    assertThat(json.get("threads").asInt()).isPositive();
    assertThat(json.get("outputs").get(0).get("shape").toString()).isEqualTo("[4,8]");
    assertThat(json.get("latencyMs").get("p99").asDouble()).isPositive();
    assertThat(out.resolve("outputs/y.npy")).isRegularFile();
    assertThat(out.resolve("inputs/x.npy")).isRegularFile();
    assertThat(out.resolve("reference.json")).isRegularFile();
    assertThat(Files.size(out.resolve("trtexec-inputs/x.bin"))).isEqualTo(4 * 8 * 4);
  }

  @Test
  void anUnsupportedOperatorIsOneLineAndExitCode2() throws Exception {
    Run r = run("run", model("NoSuchOperator").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: ONNX Runtime cannot load NoSuchOperator.onnx").contains("NoSuchOperator");
    assertThat(r.err().strip().lines().count()).isEqualTo(1);
  }

  @Test
  void badOptionsAreExitCode2() throws Exception {
    Path m = model("Relu");
    assertThat(run("run", m.toString(), "--shapes", "x:4").exit()).isEqualTo(2);
    assertThat(run("run", m.toString(), "--runs", "0").exit()).isEqualTo(2);
    assertThat(run("run", dir.resolve("missing.onnx").toString()).exit()).isEqualTo(2);
  }
}
