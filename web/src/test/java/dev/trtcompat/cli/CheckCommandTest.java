package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The check subcommand end to end: real model files, real knowledge base, documented exit codes. */
class CheckCommandTest {

  static final Path EXPORTS =
      Path.of(System.getProperty("trtcompat.repo", ".."), "compat-matrix/src/test/resources/pytorch-exports");

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

  static String model(String name) {
    return EXPORTS.resolve(name + ".onnx").toString();
  }

  @Test
  void printsAMatrixAndExitsZeroWhenOneReleaseAccepts() {
    Run r = run("check", model("detection_nms_nonzero"));
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("TensorRT  verdict").containsPattern("8\\.4 +incompatible +source")
        .containsPattern("8\\.5 +compatible +source").containsPattern("10\\.11 +compatible +derived<-10\\.10")
        .contains("derived: the release's own operator table and importer code were not read here")
        .contains("NonZero is supported from TensorRT 8.5")
        .contains("fix: upgrade to TensorRT 8.5");
  }

  @Test
  void exitsOneWhenEveryRequestedReleaseIsIncompatible() {
    Run r = run("check", model("detection_nms_nonzero"), "--trt", "8.2", "--trt", "8.4");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).doesNotContain("10.0 ");
  }

  @Test
  void exitsSixWhenNoReleaseAcceptsButOneIsUnknown() {
    Run r = run("check", model("transformer_encoder"), "--trt", "8.2,7.0");
    assertThat(r.exit()).isEqualTo(6);
  }

  @Test
  void jsonHasModelAndOneResultPerRequestedRelease() throws Exception {
    Run r = run("check", model("grid_sample"), "--json", "--trt", "8.4,8.5");
    assertThat(r.exit()).isZero();
    JsonNode j = Json.mapper().readTree(r.out());
    assertThat(j.get("model").get("producerName").asText()).isEqualTo("pytorch");
    assertThat(j.get("results")).hasSize(2);
    assertThat(j.get("results").get(0).get("tensorrt").asText()).isEqualTo("8.4");
    assertThat(j.get("results").get(0).get("verdict").asText()).isEqualTo("incompatible");
    assertThat(j.get("results").get(1).get("verdict").asText()).isEqualTo("compatible");
  }

  @Test
  void unknownReleaseAndMissingFileAreUserErrors() {
    Run bad = run("check", model("grid_sample"), "--trt", "6.0");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("TensorRT 6.0 is not in the knowledge base").doesNotContain("Exception");
    Run newer = run("check", model("grid_sample"), "--trt", "10.99");
    assertThat(newer.exit()).isEqualTo(2);
    assertThat(newer.err()).contains("TensorRT 10.99 is not in the knowledge base; known releases: 7.0, 7.1")
        .contains("10.16, 11.0, 11.1, 11.2, 11.3").doesNotContain("Exception");
    Run missing = run("check", "/nonexistent/model.onnx");
    assertThat(missing.exit()).isEqualTo(2);
  }

  @Test
  void tableShowsPrecisionColumnsAndWhichGpusTheyAssume() {
    Run r = run("check", model("grid_sample"), "--trt", "10.1");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("FP32  FP16  INT8").containsPattern("10\\.1 +compatible +source +0 +0  ok +ok +warn")
        .contains("FP16 assumes any GPU the release supports with FP16 (listed for sm_70 and newer)")
        .contains("INT8: INT8 without Q/DQ nodes or a calibration cache: placeholder scales");
  }

  @Test
  void gpuFiltersReleasesAndAcceptsEveryForm() throws Exception {
    for (String form : new String[] {"sm_89", "8.9", "L4"}) {
      Run r = run("check", model("grid_sample"), "--trt", "10.1", "--gpu", form, "--json");
      assertThat(r.exit()).as(form).isZero();
      JsonNode j = Json.mapper().readTree(r.out());
      assertThat(j.path("gpu").path("sm").asText()).isEqualTo("sm_89");
      JsonNode rel = j.path("results").get(0);
      assertThat(rel.path("gpu").path("status").asText()).isEqualTo("supported");
      assertThat(rel.path("precisions").path("fp16").path("verdict").asText()).isEqualTo("compatible");
      assertThat(rel.path("precisions").path("fp16").path("assumes").asText()).contains("sm_89");
    }
    Run pascal = run("check", model("grid_sample"), "--trt", "10.1", "--gpu", "sm_61");
    assertThat(pascal.exit()).isEqualTo(1);
    assertThat(pascal.out()).contains("GPU: sm_61, compute capability 6.1 (Pascal)")
        .containsPattern("10\\.1 +compatible +source +0 +0  FAIL +FAIL +FAIL +not for sm_61: TensorRT 10.1 supports "
            + "compute capability 7.0 and newer");
  }

  @Test
  void unknownGpuIsAUsageErrorNamingTheAcceptedForms() {
    Run r = run("check", model("grid_sample"), "--gpu", "GTX 9999");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("unknown GPU 'GTX 9999'").contains("sm_89, 8.9").contains("L4 (sm_89)")
        .doesNotContain("Exception");
  }
}
