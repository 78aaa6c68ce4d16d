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
}
