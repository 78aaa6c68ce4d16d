package dev.trtcompat.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.html.Html;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The section's markup for a model with many findings and no job. */
class MatrixSectionTest {

  @TempDir Path dir;

  @Test
  void cellsListAFewFindingsAndLinkToTheRestWhileTheChartSaysNothingIsMeasured() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder().setName("many")
        .addInput(ModelBuilder.value("x", ElementType.FLOAT, 4)).addOutput(ModelBuilder.value("y7", ElementType.FLOAT, 1, 4));
    String prev = "x";
    for (int i = 0; i < 8; i++) {
      g.addNode(NodeProto.newBuilder().setOpType("NonZero").setName("nz" + i).addInput(prev).addOutput("y" + i));
      prev = "y" + i;
    }
    Path file = dir.resolve("model.onnx");
    Files.write(file, TestModels.model(g).build().toByteArray());
    CompatibilityReport check = CompatibilityChecker.bundled().check(OnnxModelReader.read(file));
    MatrixReport report = MatrixAssembly.assemble("a".repeat(64), "many.onnx", check, Optional.empty(),
        TensorRtImageCatalog.builtIn(), null);

    Html h = new Html();
    MatrixSection.render(h, report, check);
    String html = h.toString();

    int row = html.indexOf("<tr data-trt=\"8.4\"");
    String cell = html.substring(row, html.indexOf("</td>", html.indexOf("<td class=\"cell\"", row)));
    assertThat(Pattern.compile("<li class=\"severity-error\">").matcher(cell).results().count())
        .isEqualTo(MatrixSection.REASONS_PER_CELL);
    assertThat(cell).contains("<li class=\"more\"><a href=\"#findings-8-4\">3 more in the findings for TensorRT 8.4</a></li>");
    assertThat(html).contains("<details class=\"findings\" id=\"findings-8-4\">");
    assertThat(report.rows().stream().filter(r -> r.tensorrt().equals("8.4")).findFirst().orElseThrow()
        .cells().get(0).predicted().reasons()).hasSize(8);
    assertThat(html).contains("No measured timings yet").doesNotContain("<svg")
        .contains("<tr id=\"reference-row\" class=\"reference\" data-state=\"none\">")
        .contains("data-job-id=\"\"");

    // every knowledge-base release has a row; a derived release says so in the row head and in its cells
    assertThat(report.rows()).extracting(MatrixReport.Row::tensorrt)
        .containsExactlyElementsOf(check.results().stream().map(r -> r.tensorrt()).toList());
    int derived = html.indexOf("<tr data-trt=\"10.11\"");
    String derivedRow = html.substring(derived, html.indexOf("</tr>", derived));
    assertThat(derivedRow).contains("class=\"release derived\"").contains("data-derived-from=\"10.10\"")
        .contains("<span class=\"badge derived\"").contains("derived from 10.10 + changelog")
        .contains("predicted (derived): ");
    int source = html.indexOf("<tr data-trt=\"10.10\"");
    assertThat(html.substring(source, html.indexOf("</tr>", source))).doesNotContain("derived");
    // a release with a known container shows its tag; one with none shows "-"
    int tagged = html.indexOf("<tr data-trt=\"10.15\"");
    assertThat(html.substring(tagged, html.indexOf("</tr>", tagged))).contains("tensorrt:26.02-py3");
  }
}
