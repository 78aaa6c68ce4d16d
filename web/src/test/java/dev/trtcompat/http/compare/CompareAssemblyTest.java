package dev.trtcompat.http.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.cost.ModelCost;
import dev.trtcompat.html.Html;
import dev.trtcompat.http.compare.CompareReport.ModelRow;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellSpec;
import dev.trtcompat.jobs.CellState;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.testing.Csv;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The comparison arranged from hand-built matrix reports (the matrix's own tests cover how a cell is read from a
 * job): fastest per column, sorting with missing values last, speed-ups, best choice within an accuracy bound,
 * and CSV that says the same as the JSON.
 */
class CompareAssemblyTest {

  static final String A = "a".repeat(64);
  static final String B = "b".repeat(64);
  static final String C = "c".repeat(64);

  /** A measured cell: id, state, outcome, median ms; null median for an unfinished cell. */
  static MatrixReport.Measured measured(long cellId, String state, String outcome, Double median) {
    return new MatrixReport.Measured(cellId, state, null, outcome, 12.5, median, median == null ? null : median * 1.2,
        median == null ? null : 1000 / median, 4_000_000L, "NVIDIA H100", null, null, null, true, null, null, null, List.of());
  }

  static MatrixReport.Cell cell(String precision, String verdict, MatrixReport.Measured m) {
    List<String> notes = precision.equals("int8") ? List.of("No Q/DQ nodes and no calibration data: trtexec builds INT8"
        + " with placeholder dynamic ranges, so INT8 timings are indicative") : List.of();
    return new MatrixReport.Cell(precision,
        new MatrixReport.Predicted(verdict, List.of(), notes, precision.equals("int8"), false, null), m, null);
  }

  /** A matrix with releases 8.6 and 10.0; {@code cells} gives 10.0's fp32, fp16, int8 cells. */
  static MatrixReport matrix(String id, String file, String verdict, MatrixReport.Cell... cells) {
    List<MatrixReport.Row> rows = List.of(
        new MatrixReport.Row("8.6", "23.04-py3", "12.1.0", true, null, verdict, List.of(cell("fp32", verdict, null),
            cell("fp16", verdict, null), cell("int8", verdict, null))),
        new MatrixReport.Row("10.0", "24.05-py3", "12.4.1", true, null, verdict, List.of(cells)));
    MatrixReport.Reference ref = new MatrixReport.Reference("succeeded", 40.0 + file.length(), 45.0, 25.0, 2, "1.20.0",
        20, null, "2026-12-02T10:00:00Z");
    return new MatrixReport(id, file, 1L, "2026-12-02T10:00:00Z", false, List.of("fp32", "fp16", "int8"), rows, ref,
        List.of(), null);
  }

  /** A job whose cells carry accuracy results: cell id to the largest output error. */
  static Optional<Job> job(Map<Long, Double> errors) {
    List<Cell> cells = new ArrayList<>();
    Instant t = Instant.parse("2026-12-02T10:00:00Z");
    errors.forEach((id, err) -> cells.add(new Cell(id, 1, CellSpec.conversion("10.0", Precision.FP16), false,
        CellState.SUCCEEDED, null, 1, null, null, false, t, t, t, t, null,
        "{\"outcome\":\"success\",\"accuracy\":{\"passed\":true,\"outputs\":[{\"name\":\"y\",\"maxAbsError\":" + err / 2
            + "},{\"name\":\"z\",\"maxAbsError\":" + err + "}]}}")));
    return Optional.of(new Job(1, "x", "c", "r", "{}", t, cells));
  }

  static ModelCost cost(long params, long macs) {
    return new ModelCost(params, params * 4, macs, 2 * macs, Map.of(), List.of(), List.of());
  }

  static List<CompareAssembly.ModelInput> models() {
    // A: fast in FP16 (2 ms) but large error; B: FP16 3 ms small error, INT8 1 ms placeholder; C: incompatible.
    MatrixReport a = matrix(A, "resnet.onnx", "compatible",
        cell("fp32", "compatible", measured(11, "succeeded", "success", 8.0)),
        cell("fp16", "compatible", measured(12, "succeeded", "success", 2.0)),
        cell("int8", "compatible", measured(13, "failed", "build_failure", null)));
    MatrixReport b = matrix(B, "mobilenet.onnx", "warnings",
        cell("fp32", "warnings", measured(21, "succeeded", "success", 6.0)),
        cell("fp16", "warnings", measured(22, "succeeded", "success", 3.0)),
        cell("int8", "warnings", measured(23, "succeeded", "success", 1.0)));
    MatrixReport c = matrix(C, "<img src=x onerror=alert(1)>.onnx", "incompatible",
        cell("fp32", "incompatible", measured(31, "skipped", null, null)),
        cell("fp16", "incompatible", null), cell("int8", "incompatible", null));
    Map<Long, Double> errA = new LinkedHashMap<>(Map.of(11L, 0.00001, 12L, 0.05));
    Map<Long, Double> errB = new LinkedHashMap<>(Map.of(21L, 0.00002, 22L, 0.004, 23L, 0.9));
    return List.of(
        new CompareAssembly.ModelInput(A, "resnet.onnx", "backbone=resnet", a, job(errA), cost(25_000_000, 4_000_000_000L)),
        new CompareAssembly.ModelInput(B, "mobilenet.onnx", "backbone=mobilenet_v3", b, job(errB), cost(3_500_000, 300_000_000)),
        new CompareAssembly.ModelInput(C, c.fileName(), null, c, Optional.empty(), null));
  }

  static CompareQuery query(String... kv) {
    Map<String, List<String>> p = new LinkedHashMap<>();
    p.put("models", List.of(A + "," + B + "," + C));
    for (int i = 0; i < kv.length; i += 2) {
      p.put(kv[i], List.of(kv[i + 1]));
    }
    return CompareQuery.parse(p);
  }

  @Test
  void defaultColumnsAreTheMeasuredReleasesAndTheFastestConvertingModelIsMarked() {
    CompareReport r = CompareAssembly.assemble(query(), models());
    assertThat(r.columns()).extracting(CompareReport.Column::key).containsExactly("10.0/fp32", "10.0/fp16", "10.0/int8");
    assertThat(r.columns()).extracting(CompareReport.Column::fastestModelId).containsExactly(B, A, B);
    ModelRow a = r.rows().get(0);
    assertThat(a.cell("10.0/fp16").fastest()).isTrue();
    assertThat(a.cell("10.0/fp16").accuracyDelta()).isEqualTo(0.05);
    assertThat(a.cell("10.0/fp32").fastest()).isFalse();
    assertThat(a.parameters()).isEqualTo(25_000_000);
    assertThat(r.rows().get(2).cell("10.0/fp16").predicted()).isEqualTo("incompatible");
    assertThat(r.rows().get(2).parameters()).isNull();
  }

  @Test
  void speedupsSitNextToTheirAccuracyCostAndPlaceholderInt8IsMarked() {
    ModelRow b = CompareAssembly.assemble(query(), models()).rows().get(1);
    assertThat(b.speedups()).extracting(CompareReport.Speedup::precision).containsExactly("fp16", "int8");
    assertThat(b.speedups().get(0).speedup()).isEqualTo(2.0);
    assertThat(b.speedups().get(0).accuracyDelta()).isEqualTo(0.004);
    assertThat(b.speedups().get(0).placeholderInt8()).isFalse();
    assertThat(b.speedups().get(1).speedup()).isEqualTo(6.0);
    assertThat(b.speedups().get(1).placeholderInt8()).isTrue();
  }

  /** Model A as a Q/DQ model whose scales came from random samples: FP32 2 ms, FP16 1 ms, INT8 0.5 ms. */
  static MatrixReport randomScalesModel() {
    MatrixReport.Cell int8 = new MatrixReport.Cell("int8", new MatrixReport.Predicted("compatible", List.of(),
        List.of(), false, true, "sm_75 and newer"), measured(43, "succeeded", "success", 0.5), null);
    return matrix(A, "resnet-int8.onnx", "compatible",
        cell("fp32", "compatible", measured(41, "succeeded", "success", 2.0)),
        cell("fp16", "compatible", measured(42, "succeeded", "success", 1.0)), int8);
  }

  @Test
  void aQdqModelCalibratedOnRandomDataIsLabelledAsTheModelPageLabelsIt() {
    // A Q/DQ model whose metadata_props say its scales come from random samples: the matrix reads it so.
    MatrixReport q = randomScalesModel();
    List<CompareAssembly.ModelInput> in = List.of(
        new CompareAssembly.ModelInput(A, "resnet-int8.onnx", null, q, job(Map.of(43L, 0.2)), null),
        models().get(1));
    CompareQuery query = CompareQuery.parse(Map.of("models", List.of(A + "," + B), "trt", List.of("10.0")));
    CompareReport r = CompareAssembly.assemble(query, in);
    ModelRow row = r.rows().stream().filter(m -> m.modelId().equals(A)).findFirst().orElseThrow();
    CompareReport.Cell cell = row.cells().stream().filter(c -> c.column().equals("10.0/int8")).findFirst().orElseThrow();
    assertThat(cell.label()).isEqualTo(MatrixReport.Cell.INT8_QDQ_RANDOM)
        .isEqualTo("INT8 (Q/DQ, scales from random data: timing only)");
    assertThat(row.speedups()).filteredOn(s -> s.precision().equals("int8")).singleElement()
        .satisfies(s -> assertThat(s.label()).isEqualTo(MatrixReport.Cell.INT8_QDQ_RANDOM));

    Html h = new Html();
    ComparePage.body(h, query, r);
    org.jsoup.nodes.Document page = org.jsoup.Jsoup.parseBodyFragment(h.toString());
    org.jsoup.nodes.Element td = page.selectFirst("tr[data-model-id=" + A + "] td[data-column=10.0/int8]");
    assertThat(td).isNotNull();
    assertThat(td.attr("data-label")).isEqualTo(MatrixReport.Cell.INT8_QDQ_RANDOM);
    assertThat(td.select(".timing-only").text()).isEqualTo(MatrixReport.Cell.INT8_QDQ_RANDOM);
    assertThat(page.select("#speedup-table tr[data-model-id=" + A + "][data-precision=int8] td").eachText())
        .contains(MatrixReport.Cell.INT8_QDQ_RANDOM);
    // the other model's INT8 (placeholder scales, no Q/DQ) carries no such note
    assertThat(page.select("td[data-column=10.0/int8] .timing-only")).hasSize(1);
  }

  @Test
  void bestChoiceRespectsTheAccuracyBound() {
    CompareReport unbounded = CompareAssembly.assemble(query(), models());
    assertThat(unbounded.overall().modelId()).isEqualTo(B);
    assertThat(unbounded.overall().precision()).isEqualTo("int8");
    // 0.01: A's FP16 (0.05) and B's placeholder INT8 are out; B's FP16 (3 ms) beats A's FP32 (8 ms).
    CompareReport bounded = CompareAssembly.assemble(query("maxError", "0.01"), models());
    assertThat(bounded.rows().get(0).best().precision()).isEqualTo("fp32");
    assertThat(bounded.rows().get(1).best().precision()).isEqualTo("fp16");
    assertThat(bounded.rows().get(2).best()).isNull();
    assertThat(bounded.overall().modelId()).isEqualTo(B);
    assertThat(bounded.overall().medianLatencyMs()).isEqualTo(3.0);
  }

  @Test
  void int8WhoseAccuracyMeansNothingWinsOnSpeedOnlyWithANoteAndNeverWithinAnAccuracyBound() throws Exception {
    // A Q/DQ model calibrated on random samples: its INT8 is the fastest and its error happens to be tiny.
    MatrixReport q = randomScalesModel();
    List<CompareAssembly.ModelInput> in = List.of(
        new CompareAssembly.ModelInput(A, "resnet-int8.onnx", null, q,
            job(Map.of(41L, 0.00001, 42L, 0.002, 43L, 0.001)), null),
        models().get(1));
    Map<String, List<String>> params = new LinkedHashMap<>(Map.of("models", List.of(A + "," + B), "trt",
        List.of("10.0")));

    // No bound: speed alone decides, and both timing-only winners say so instead of showing an accuracy delta.
    CompareQuery speedOnly = CompareQuery.parse(params);
    CompareReport fastest = CompareAssembly.assemble(speedOnly, in);
    CompareReport.Choice a = fastest.rows().get(0).best();
    assertThat(a.precision()).isEqualTo("int8");
    assertThat(a.timingOnly()).isTrue();
    assertThat(a.label()).isEqualTo(MatrixReport.Cell.INT8_QDQ_RANDOM);
    CompareReport.Choice b = fastest.rows().get(1).best();
    assertThat(b.precision()).isEqualTo("int8");
    assertThat(b.timingOnly()).isTrue();
    assertThat(b.label()).isEqualTo(fastest.rows().get(1).cell("10.0/int8").label()); // the fixture's placeholder
    assertThat(fastest.overall().modelId()).isEqualTo(A);
    JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsString(fastest));
    assertThat(json.at("/overall/timingOnly").asBoolean()).isTrue();
    assertThat(json.at("/rows/0/cells/2/randomScalesInt8").asBoolean()).isTrue();
    Html h = new Html();
    ComparePage.body(h, speedOnly, fastest);
    org.jsoup.nodes.Document page = org.jsoup.Jsoup.parseBodyFragment(h.toString());
    assertThat(page.selectFirst("#best-overall").text())
        .contains("INT8", "speed only, accuracy unknown: " + MatrixReport.Cell.INT8_QDQ_RANDOM).doesNotContain("Δ");
    assertThat(page.selectFirst("#best-per-model li[data-model-id=" + B + "]").text())
        .contains("speed only, accuracy unknown: " + b.label()).doesNotContain("Δ");

    // A bound: neither INT8 qualifies, however small its error; FP16 within the bound is the choice.
    params.put("maxError", List.of("0.01"));
    CompareReport bounded = CompareAssembly.assemble(CompareQuery.parse(params), in);
    assertThat(bounded.rows().get(0).best().precision()).isEqualTo("fp16");
    assertThat(bounded.rows().get(0).best().timingOnly()).isFalse();
    assertThat(bounded.rows().get(1).best().precision()).isEqualTo("fp16");
    assertThat(bounded.overall().modelId()).isEqualTo(A);
    assertThat(bounded.overall().medianLatencyMs()).isEqualTo(1.0);
    Html hb = new Html();
    ComparePage.body(hb, CompareQuery.parse(params), bounded);
    org.jsoup.nodes.Document boundedPage = org.jsoup.Jsoup.parseBodyFragment(hb.toString());
    assertThat(boundedPage.select("#compare-best .timing-only")).isEmpty();
    assertThat(boundedPage.selectFirst("#compare-best .hint").text()).contains("scales from random data");
  }

  @Test
  void sortingPutsMissingValuesLastInEitherDirection() {
    assertThat(CompareAssembly.assemble(query("sort", "10.0/fp16"), models()).rows())
        .extracting(ModelRow::modelId).containsExactly(A, B, C);
    assertThat(CompareAssembly.assemble(query("sort", "10.0/fp16", "dir", "desc"), models()).rows())
        .extracting(ModelRow::modelId).containsExactly(B, A, C);
    assertThat(CompareAssembly.assemble(query("sort", "params", "dir", "desc"), models()).rows())
        .extracting(ModelRow::modelId).containsExactly(A, B, C);
    assertThat(CompareAssembly.assemble(query("sort", "model"), models()).rows())
        .extracting(ModelRow::modelId).containsExactly(C, B, A);
  }

  @Test
  void labelFilterAndGrouping() {
    assertThat(CompareAssembly.assemble(query("label", "backbone=mobilenet_v3"), models()).rows())
        .extracting(ModelRow::modelId).containsExactly(B);
    assertThat(CompareAssembly.assemble(query("group", "label", "sort", "flops"), models()).rows())
        .extracting(ModelRow::modelId).containsExactly(B, A, C);
  }

  @Test
  void csvSaysWhatTheJsonSays() throws Exception {
    CompareReport r = CompareAssembly.assemble(query("trt", "8.6,10.0"), models());
    JsonNode json = Json.mapper().readTree(Json.mapper().writeValueAsString(r));
    List<Map<String, String>> records = Csv.records(CompareCsv.write(r));
    assertThat(records).hasSize(3 * (1 + 6));
    int i = 0;
    for (JsonNode row : json.get("rows")) {
      Map<String, String> ref = records.get(i++);
      assertThat(ref.get("model_id")).isEqualTo(row.get("modelId").asText());
      assertThat(ref.get("row")).isEqualTo("reference");
      assertThat(Double.parseDouble(ref.get("median_latency_ms")))
          .isEqualTo(row.get("reference").get("medianLatencyMs").asDouble());
      for (JsonNode cell : row.get("cells")) {
        Map<String, String> rec = records.get(i++);
        assertThat(rec.get("tensorrt") + "/" + rec.get("precision")).isEqualTo(cell.get("column").asText());
        assertThat(rec.get("predicted")).isEqualTo(cell.get("predicted").asText());
        assertThat(rec.get("fastest_in_column")).isEqualTo(cell.get("fastest").asText());
        assertThat(rec.get("cell_label")).isEqualTo(cell.get("label").asText());
        assertThat(rec.get("placeholder_int8")).isEqualTo(cell.get("placeholderInt8").asText());
        assertThat(rec.get("random_scales_int8")).isEqualTo(cell.get("randomScalesInt8").asText());
        assertThat(rec.get("label")).isEqualTo(row.get("label").isNull() ? "" : row.get("label").asText());
        JsonNode m = cell.get("measured");
        assertThat(rec.get("state")).isEqualTo(m.isNull() ? "none" : m.get("state").asText());
        if (!m.isNull() && m.get("medianLatencyMs").isNumber()) {
          assertThat(Double.parseDouble(rec.get("median_latency_ms"))).isEqualTo(m.get("medianLatencyMs").asDouble());
        }
      }
    }
    // The hostile file name stays one field, not markup or a formula.
    assertThat(records.get(14).get("file_name")).isEqualTo("<img src=x onerror=alert(1)>.onnx");
  }

  @Test
  void chartDrawsOneBarPerMeasuredModelAndPrecisionAndEscapesNames() {
    CompareReport r = CompareAssembly.assemble(query(), models());
    Html h = new Html();
    CompareChart.render(h, r);
    String svg = h.toString();
    // FP32: A, B; FP16: A, B; INT8: B; CPU: A, B, C.
    assertThat(svg.split("<rect", -1)).hasSize(1 + 8);
    assertThat(svg).contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img");
  }
}
