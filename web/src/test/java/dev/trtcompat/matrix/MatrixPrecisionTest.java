package dev.trtcompat.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.GpuFilter;
import dev.trtcompat.html.Html;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.precision.PrecisionFacts;
import dev.trtcompat.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The matrix's cells carry one prediction per precision, the INT8 caveat, and follow a GPU choice. */
class MatrixPrecisionTest {

  @TempDir Path dir;
  CompatibilityReport check;

  @BeforeEach
  void reluModel() throws Exception {
    Path file = dir.resolve("relu.onnx");
    Files.write(file, TestModels.single("Relu").build().toByteArray());
    check = CompatibilityChecker.bundled().check(OnnxModelReader.read(file));
  }

  static JsonNode cell(JsonNode report, String release, String precision) {
    for (JsonNode row : report.path("rows")) {
      if (row.path("tensorrt").asText().equals(release)) {
        for (JsonNode c : row.path("cells")) {
          if (c.path("precision").asText().equals(precision)) {
            return c.path("predicted");
          }
        }
      }
    }
    throw new AssertionError("no cell " + release + " " + precision);
  }

  MatrixReport assemble(CompatibilityReport c) {
    return MatrixAssembly.assemble("b".repeat(64), "relu.onnx", c, Optional.empty(), TensorRtImageCatalog.builtIn(),
        null);
  }

  @Test
  void jsonCarriesDifferentPredictionsPerPrecisionAndThePlaceholderNote() {
    JsonNode j = Json.mapper().valueToTree(assemble(check));
    JsonNode fp32 = cell(j, "10.1", "fp32");
    JsonNode int8 = cell(j, "10.1", "int8");
    assertThat(fp32.path("verdict").asText()).isEqualTo("compatible");
    assertThat(fp32.path("placeholderScales").asBoolean()).isFalse();
    assertThat(int8.path("verdict").asText()).isEqualTo("warnings");
    assertThat(int8.path("placeholderScales").asBoolean()).isTrue();
    assertThat(int8.path("reasons").get(0).path("message").asText())
        .contains("placeholder scales: the timings are real, the accuracy is meaningless");
    assertThat(int8.path("assumes").asText()).contains("INT8 (listed for sm_61 and newer)");
    assertThat(j.path("gpu").isNull()).isTrue();
  }

  @Test
  void aGpuChoiceFiltersTheCellsAndIsSelectedInTheForm() {
    GpuFilter filter = GpuFilter.bundled();
    CompatibilityReport onPascal = filter.apply(check, filter.resolve("sm_61"));
    MatrixReport report = assemble(onPascal);
    JsonNode j = Json.mapper().valueToTree(report);
    assertThat(j.path("gpu").path("sm").asText()).isEqualTo("sm_61");
    assertThat(cell(j, "8.4", "fp32").path("verdict").asText()).isEqualTo("compatible");
    assertThat(cell(j, "8.4", "fp16").path("verdict").asText()).isEqualTo("incompatible");
    assertThat(cell(j, "10.1", "fp32").path("verdict").asText()).isEqualTo("incompatible");
    assertThat(cell(j, "9.0", "fp32").path("verdict").asText()).isEqualTo("unknown");

    Html h = new Html();
    MatrixSection.render(h, report, onPascal, PrecisionFacts.bundled().gpus(), "sm_61", null);
    String html = h.toString();
    assertThat(html).contains("<form class=\"gpu-choice\" method=\"get\" action=\"/models/" + "b".repeat(64)
            + "#compatibility\">")
        .contains("<option value=\"sm_61\" selected>sm_61 (Pascal)</option>")
        .contains("<option value=\"L4\">L4 (sm_89)</option>")
        .contains("Predictions for sm_61 (compute capability 6.1, Pascal)")
        .contains("data-gpu=\"sm_61\"")
        .contains("data-placeholder-scales=\"true\"")
        .contains("placeholder scales: timings real, accuracy meaningless");
  }

  @Test
  void anUnknownGpuIsSaidAboveTheUnfilteredMatrix() {
    Html h = new Html();
    MatrixSection.render(h, assemble(check), check, PrecisionFacts.bundled().gpus(), "GTX 9999",
        "unknown GPU 'GTX 9999'; give a compute capability (sm_89, 8.9) or one of: ...");
    assertThat(h.toString()).contains("<p class=\"error gpu-problem\">unknown GPU &#39;GTX 9999&#39;")
        .contains("<option value=\"\" selected>any GPU");
  }
}
