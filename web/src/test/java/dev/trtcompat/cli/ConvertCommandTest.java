package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceRunner;
import dev.trtcompat.testing.ConversionTestSupport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code trt-compat convert} end to end on the real Docker engine with the trtexec TEST DOUBLE image; the test
 * double picks the recorded log named like the model file.
 */
@Tag("docker")
class ConvertCommandTest {

  private final String owner = "test-cli-" + UUID.randomUUID().toString().substring(0, 8);
  @TempDir Path dir;

  record Run(int exit, String out, String err) {}

  private Run convert(Path model, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("convert", model.toString(), "--image", ConversionTestSupport.testDoubleImage(),
        "--no-gpu", "--no-pull", "--data-dir", dir.resolve("data").toString(), "--owner", owner, "--timeout", "60s"));
    args.addAll(List.of(extra));
    CommandLine cl = TrtCompatCommand.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args.toArray(String[]::new));
    return new Run(exit, out.toString(), err.toString());
  }

  @AfterEach
  void noContainerLeft() throws Exception {
    assertThat(ConversionTestSupport.containersOf(owner)).isEmpty();
  }

  private Path model(String logName, byte[] bytes) throws Exception {
    Path m = Files.createDirectories(dir.resolve("models")).resolve(logName.replace(".log", ".onnx"));
    return Files.write(m, bytes);
  }

  @Test
  void convertsPrintsTheLogAndASummaryWithValidity() throws Exception {
    Path m = model("trt10.16-fp32-success.log", Files.readAllBytes(ConversionTestSupport.ABS_MODEL));
    Path out = dir.resolve("engine.plan");
    Run r = convert(m, "--trt", "10.3", "--precision", "fp16", "--out", out.toString());
    assertThat(r.exit).as(r.err).isZero();
    assertThat(r.err).contains("&&&& PASSED").contains("converting");
    assertThat(r.out).contains("Outcome     success").contains("Precision   fp16")
        .contains("Valid       Only valid with TensorRT 10.16").contains("GPU         NVIDIA H100");
    assertThat(out).exists();
    assertThat(r.out).contains("sha256 " + ConvertCommand.sha256(out));
  }

  @Test
  void summaryPrintsTheAccuracyLineNamingTheWorstOutput() throws Exception {
    Path m = model("trt10.16-fp32-success.log", Files.readAllBytes(ConversionTestSupport.ABS_MODEL));
    // The test double copies this file for --exportOutput: the reference's own outputs, 10% too large.
    HostTensor y = new ReferenceRunner().run(ReferenceRequest.of(m).withRuns(1).withWarmup(0)).outputTensors()
        .values().iterator().next();
    List<Double> values = new ArrayList<>();
    for (double v : y.toDoubles()) {
      values.add(v * 1.1);
    }
    Files.writeString(m.resolveSibling(".test-double-outputs.json"), Json.mapper().writeValueAsString(List.of(
        java.util.Map.of("name", y.name(), "dimensions", java.util.Arrays.stream(y.shape()).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining("x")), "values", values))));
    Run r = convert(m, "--trt", "10.3", "--precision", "fp32");
    assertThat(r.exit).as(r.err).isZero();
    assertThat(r.out).containsPattern("Accuracy    FAIL \\(vs ONNX Runtime, fp32 tolerance\\): worst output y, max abs error 0\\.[0-9]+");

    Run off = convert(m, "--trt", "10.3", "--precision", "fp32", "--no-accuracy", "--json");
    JsonNode j = Json.mapper().readTree(off.out);
    assertThat(j.get("accuracy").isNull()).isTrue();
    assertThat(j.get("arguments").toString()).doesNotContain("--exportOutput").doesNotContain("--loadInputs");
  }

  @Test
  void jsonOutputCarriesTheEngineMetadata() throws Exception {
    Path m = model("trt10.16-fp32-success.log", Files.readAllBytes(ConversionTestSupport.ABS_MODEL));
    Path out = dir.resolve("e.plan");
    Run r = convert(m, "--trt", "10.3", "--precision", "int8", "--json", "--out", out.toString());
    assertThat(r.exit).as(r.err).isZero();
    JsonNode j = Json.mapper().readTree(r.out);
    assertThat(j.get("outcome").asText()).isEqualTo("success");
    assertThat(j.get("engine").get("sha256").asText()).isEqualTo(ConvertCommand.sha256(out));
    assertThat(j.get("engine").get("modelSha256").asText()).isEqualTo(ConvertCommand.sha256(m));
    assertThat(j.get("engine").get("validity").asText()).startsWith("Only valid with TensorRT 10.16");
    assertThat(j.get("notes").toString()).contains("timing only: random scales, accuracy not representative");
    assertThat(Files.list(dir.resolve("data/engines")).count()).isEqualTo(1);
  }

  @Test
  void parseFailureExitsOneAndNamesTheNode() throws Exception {
    Path m = model("trt8.x-nonzero-unsupported-plugin-not-found.log",
        ConversionTestSupport.nonZeroModel(84, "NonZero_559", "onnx::Transpose_634"));
    Run r = convert(m, "--trt", "8.6");
    assertThat(r.exit).as(r.err).isEqualTo(1);
    assertThat(r.out).contains("Outcome     parse_failure").contains("Failing     Node #84 of 85 in the model is NonZero 'NonZero_559'");
    assertThat(r.out).doesNotContain("\nEngine      ").doesNotContain("Valid");
  }

  @Test
  void missingImageExitsThreeWithOneLine() throws Exception {
    Path m = model("trt10.16-fp32-success.log", Files.readAllBytes(ConversionTestSupport.ABS_MODEL));
    CommandLine cl = TrtCompatCommand.newCommandLine();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(new StringWriter()));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute("convert", m.toString(), "--trt", "8.6", "--image", "trt-compat-test-double/tensorrt:absent-" + owner,
        "--no-gpu", "--no-pull", "--data-dir", dir.resolve("data").toString(), "--owner", owner);
    assertThat(exit).isEqualTo(3);
    assertThat(err.toString()).contains("\nerror: Image trt-compat-test-double/tensorrt:absent-" + owner);
  }

  @Test
  void badTimeoutAndShapesExitTwo() throws Exception {
    Path m = model("trt10.16-fp32-success.log", Files.readAllBytes(ConversionTestSupport.ABS_MODEL));
    assertThat(convert(m, "--trt", "8.6", "--timeout", "soon").exit).isEqualTo(2);
    assertThat(convert(m, "--trt", "8.6", "--shapes", "x:1xA").exit).isEqualTo(2);
  }
}
