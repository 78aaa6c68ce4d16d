package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.cli.CheckCommandTest.Run;
import dev.trtcompat.cost.CostEstimator;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.OnnxModelReader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The compare subcommand on real PyTorch exports: verdicts, counts and the reference, as text and JSON. */
class CompareCommandTest {

  private static final String MOBILENET = CheckCommandTest.model("classification_mobilenet_v2");
  private static final String NMS = CheckCommandTest.model("detection_nms_nonzero");
  private static final String SEGMENTATION = CheckCommandTest.model("segmentation");

  @Test
  void tableHasOneLinePerModelAndOneColumnPerRequestedRelease() {
    Run r = CheckCommandTest.run("compare", MOBILENET, NMS, SEGMENTATION, "--trt", "8.4,8.5");
    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines[0]).contains("model").contains("params").contains("GFLOPs").contains("trt 8.4")
        .contains("trt 8.5").doesNotContain("trt 10.0").doesNotContain("cpu ms");
    assertThat(lines[2]).startsWith("detection_nms_nonzero.onnx").contains("incompatible").contains("compatible");
    assertThat(r.out()).contains("counted: Conv, ConvTranspose, Gemm, MatMul");
  }

  @Test
  void jsonCarriesTheEstimatorsFiguresAndVerdicts() throws Exception {
    Run r = CheckCommandTest.run("compare", MOBILENET, NMS, "--trt", "8.4,8.5", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = Json.mapper().readTree(r.out());
    assertThat(j.get("releases")).hasSize(2);
    assertThat(j.get("flopsCounting").asText()).contains("not counted");
    JsonNode mobilenet = j.get("models").get(0);
    var cost = CostEstimator.estimate(OnnxModelReader.read(Path.of(MOBILENET)));
    assertThat(mobilenet.get("macs").asLong()).isEqualTo(cost.macs()).isPositive();
    assertThat(mobilenet.get("flops").asLong()).isEqualTo(2 * cost.macs());
    assertThat(mobilenet.get("parameters").asLong()).isEqualTo(cost.parameters()).isPositive();
    assertThat(mobilenet.get("nodes").asInt()).isPositive();
    assertThat(mobilenet.has("reference")).isFalse();
    assertThat(j.get("models").get(1).get("verdicts").get("8.4").asText()).isEqualTo("incompatible");
    assertThat(j.get("models").get(1).get("verdicts").get("8.5").asText()).isEqualTo("compatible");
  }

  @Test
  void referenceAddsOnnxRuntimeTimings() throws Exception {
    Run r = CheckCommandTest.run("compare", MOBILENET, SEGMENTATION, "--trt", "10.0", "--reference", "--runs", "2",
        "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    for (JsonNode m : Json.mapper().readTree(r.out()).get("models")) {
      assertThat(m.get("reference").get("medianLatencyMs").asDouble()).isPositive();
      assertThat(m.get("reference").get("runs").asInt()).isEqualTo(2);
    }
  }

  @Test
  void oneModelIsABadRequest() {
    Run r = CheckCommandTest.run("compare", MOBILENET);
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("2 to 20 models");
  }
}
