package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Runs {@code trt-compat explain-log} through the real command line and its one error mapping. */
class ExplainLogCommandTest {

  static final Path CELU = Path.of("/usr/share/libonnx-testdata/data/node/test_celu_expanded/model.onnx");

  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private Run run(String... args) {
    CommandLine cl = TrtCompatCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private Path fixture(String name) throws IOException {
    Path target = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/trtexec-logs/" + name)) {
      Files.copy(in, target);
    }
    return target;
  }

  @Test
  void successExitsZeroWithReadableFacts() throws IOException {
    Run r = run("explain-log", fixture("trt10.16-fp32-success.log").toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out())
        .startsWith("SUCCESS (build and inference)")
        .contains("TensorRT    10.16.1 (trtexec)")
        .contains("GPU         NVIDIA H100 PCIe, compute capability 9.0")
        .contains("Throughput  15374.3 qps")
        .contains("GPU compute ms: min 0.0331421 mean 0.0359588 median 0.0361328 p90 0.0368652 p95 0.0371094 p99 0.041748 max 0.140381")
        .contains("[dynamic_shape_override] Dynamic dimensions required for input: x");
  }

  @Test
  void parseFailureExitsOneAndJsonCarriesTheContract() throws IOException {
    Run r = run("explain-log", "--json", fixture("trt8.x-nonzero-unsupported-plugin-not-found.log").toString());
    assertThat(r.exit()).isEqualTo(1);
    JsonNode json = Json.mapper().readTree(r.out());
    assertThat(json.get("outcome").asText()).isEqualTo("parse_failure");
    assertThat(json.get("failingNode").get("index").asInt()).isEqualTo(84);
    assertThat(json.get("failingNode").get("op").asText()).isEqualTo("NonZero");
    assertThat(json.get("failingNode").get("name").asText()).isEqualTo("NonZero_559");
    assertThat(json.get("errors").get(0).asText())
        .isEqualTo("Assertion failed: creator && \"Plugin not found, are the plugin name, version, and namespace correct?\"");
    assertThat(json.has("modelNode")).isFalse();
  }

  @Test
  void buildFailureExitsOne() throws IOException {
    Run r = run("explain-log", fixture("trt7.x-jetson-dynamic-shape-no-optimization-profile.log").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).startsWith("BUILD FAILURE").contains("Network has dynamic or shape inputs, but no optimization profile has been defined.");
  }

  @Test
  void modelMapsTheFailingNode() throws IOException {
    Path log = dir.resolve("celu.log");
    Files.writeString(log, "[11/24/2026-10:00:00] [E] [TRT] ModelImporter.cpp:773: While parsing node number 2 "
        + "[Elu -> \"Celu_test_celu_expanded_function_Elu_Result\"]:\n"
        + "[11/24/2026-10:00:00] [E] Failed to parse onnx file\n");
    Run text = run("explain-log", log.toString(), "--model", CELU.toString());
    assertThat(text.exit()).isEqualTo(1);
    assertThat(text.out()).contains("Model       Node #2 of 4 in the model is Elu (unnamed); it matches the log.");

    Run json = run("explain-log", log.toString(), "--model", CELU.toString(), "--json");
    JsonNode node = Json.mapper().readTree(json.out()).get("modelNode");
    assertThat(node.get("modelOp").asText()).isEqualTo("Elu");
    assertThat(node.get("opAgrees").asBoolean()).isTrue();
  }

  @Test
  void stdinIsReadForDash() throws IOException {
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream(
          "&&&& PASSED TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=m.onnx\n".getBytes(StandardCharsets.UTF_8)));
      Run r = run("explain-log", "-");
      assertThat(r.exit()).isZero();
      assertThat(r.out()).contains("TensorRT    8.6.1 (trtexec)");
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void unreadableInputExitsTwoWithOneLine() throws IOException {
    Run missing = run("explain-log", dir.resolve("nope.log").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err().strip()).isEqualTo("error: No such log file: " + dir.resolve("nope.log") + ". Check the path.");

    Path garbage = dir.resolve("garbage.bin");
    Files.write(garbage, new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10, 'h', 'i', 10});
    Run notLog = run("explain-log", garbage.toString());
    assertThat(notLog.exit()).isEqualTo(2);
    assertThat(notLog.err()).startsWith("error: No trtexec, TensorRT or Polygraphy output found in 2 line(s).");
  }
}
