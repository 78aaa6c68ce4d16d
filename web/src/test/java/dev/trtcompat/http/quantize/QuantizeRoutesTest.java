package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.quantize.QuantizeTestModels;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/models/{id}/quantize} on a real server: a small residual Conv network calibrated on uploaded
 * .npz files becomes a Q/DQ model of its own (linked to its source, downloadable, with its accuracy), and bad
 * calibration data is a 400 naming the input and its expected shape that leaves nothing behind.
 */
class QuantizeRoutesTest {

  @TempDir Path data;
  @TempDir Path scratch;
  TestServer server;
  String modelId;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
    HttpResponse<String> up = server.uploadModel("residual.onnx", QuantizeTestModels.residualNet());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    modelId = TestServer.json(up).get("id").asText();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private HttpResponse<String> quantize(String path, Multipart body) throws Exception {
    return server.send(body.post(server.uri(path)).timeout(Duration.ofSeconds(60)).build());
  }

  private Multipart samples(String input, long... shape) throws Exception {
    Multipart m = new Multipart();
    for (int i = 0; i < 5; i++) {
      m.file("calib", "sample" + i + ".npz", QuantizeTestModels.npz(scratch, input, i + 1, shape));
    }
    return m;
  }

  private JsonNode awaitFinished(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (true) {
      JsonNode q = TestServer.json(server.get("/api/v1/models/" + id + "/quantizations")).get("quantizations").get(0);
      String state = q.get("state").asText();
      if (!state.equals("queued") && !state.equals("running")) {
        return q;
      }
      assertThat(System.nanoTime()).as("quantization still " + state).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  @Test
  void calibratedOnUploadedFilesTheQdqModelIsStoredLinkedAndMeasured() throws Exception {
    HttpResponse<String> r = quantize("/api/v1/models/" + modelId + "/quantize",
        samples("x", 1, 4, 8, 8).text("method", "percentile").text("percentile", "99.9"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode accepted = TestServer.json(r);
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + accepted.get("jobId").asLong());

    JsonNode q = awaitFinished(modelId);
    assertThat(q.get("state").asText()).as(q.toString()).isEqualTo("succeeded");
    JsonNode result = q.get("result");
    String qid = result.get("modelId").asText();
    assertThat(qid).matches("[0-9a-f]{64}").isNotEqualTo(modelId);
    assertThat(result.get("fileName").asText()).isEqualTo("residual.int8.onnx");
    assertThat(result.get("method").asText()).isEqualTo("percentile 99.9");
    assertThat(result.get("calibration").asText()).isEqualTo("5 uploaded file(s): sample0.npz ... sample4.npz");
    assertThat(result.get("calibrationSamples").asInt()).isEqualTo(4);
    assertThat(result.get("synthetic").asBoolean()).isFalse();
    JsonNode accuracy = result.get("accuracy");
    assertThat(accuracy.get("heldOut").asBoolean()).isTrue();
    JsonNode y = accuracy.get("outputs").get(0);
    assertThat(y.get("name").asText()).isEqualTo("y");
    assertThat(y.get("cosineMin").asDouble()).isGreaterThan(0.99);
    assertThat(y.get("maxAbsError").asDouble()).isGreaterThan(0).isLessThan(1);
    assertThat(y.get("top1Agreement").isNumber()).isTrue();

    // A model of its own, content-addressed, downloadable, linked back to its source.
    HttpResponse<byte[]> file = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.uri(result.get("downloadUrl").asText())).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"residual.int8.onnx\"");
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body()))).isEqualTo(qid);
    String text = new String(file.body(), StandardCharsets.ISO_8859_1);
    assertThat(text).contains("QuantizeLinear", "trt_compat.calibration_sha256", "5 uploaded file(s)")
        .doesNotContain(data.toString());
    JsonNode from = TestServer.json(server.get("/api/v1/models/" + qid + "/quantizations")).get("quantizedFrom");
    assertThat(from.get("sourceModelId").asText()).isEqualTo(modelId);
    assertThat(from.get("accuracy")).isEqualTo(accuracy);
    // The uploaded calibration files are gone once the Q/DQ model is stored; nothing is left in tmp/.
    Path orderFolders = data.resolve("models").resolve(modelId).resolve("derived").resolve("quantize");
    try (Stream<Path> orders = Files.list(orderFolders)) {
      assertThat(orders).isEmpty();
    }
    assertThat(server.tmpEntries()).isZero();

    // The matrix tells the two INT8 kinds apart, in JSON and CSV; the quantization job hides no measurement.
    JsonNode qMatrix = TestServer.json(server.get("/api/v1/models/" + qid + "/matrix"));
    assertThat(int8Label(qMatrix, "10.3")).isEqualTo("INT8 (calibrated, Q/DQ)");
    JsonNode sourceMatrix = TestServer.json(server.get("/api/v1/models/" + modelId + "/matrix"));
    assertThat(int8Label(sourceMatrix, "10.3")).isEqualTo("INT8 (placeholder scales)");
    assertThat(sourceMatrix.get("jobId").isNull()).isTrue();
    String csv = server.get("/api/v1/models/" + qid + "/matrix.csv").body();
    assertThat(csv.lines().findFirst().orElseThrow()).endsWith(",precision_label");
    assertThat(csv).contains("INT8 (calibrated, Q/DQ)");

    // The pages: the source lists the quantization with its accuracy and the Q/DQ model's link; the Q/DQ model
    // names its source; the INT8 column heading says which INT8 it is.
    Document source = Jsoup.parse(server.get("/models/" + modelId).body());
    Element item = source.selectFirst("#quantize-body li.quantization[data-state=succeeded]");
    assertThat(item).isNotNull();
    assertThat(item.selectFirst("a.quantized-model").attr("href")).isEqualTo("/models/" + qid);
    assertThat(item.selectFirst("table.accuracy tr[data-output=y] td.cosine-min").text())
        .matches("0\\.99\\d+|1\\.0+");
    Document qPage = Jsoup.parse(server.get("/models/" + qid).body());
    assertThat(qPage.selectFirst(".quantized-from a.source-model").attr("href")).isEqualTo("/models/" + modelId);
    assertThat(qPage.selectFirst(".quantized-from table.accuracy tr[data-output=y]")).isNotNull();
    String int8Heading = "table#matrix th.precision[data-precision=int8]";
    assertThat(qPage.select(int8Heading).text()).isEqualTo("INT8 (calibrated, Q/DQ)");
    assertThat(source.select(int8Heading).text()).isEqualTo("INT8 (placeholder scales)");
  }

  private static String int8Label(JsonNode matrix, String release) {
    for (JsonNode row : matrix.get("rows")) {
      if (row.get("tensorrt").asText().equals(release)) {
        for (JsonNode c : row.get("cells")) {
          if (c.get("precision").asText().equals("int8")) {
            return c.get("label").asText();
          }
        }
      }
    }
    throw new AssertionError("no int8 cell for " + release);
  }

  @Test
  void anArrayWithAnotherNameIsA400NamingTheInputAndNothingIsKept() throws Exception {
    HttpResponse<String> r = quantize("/api/v1/models/" + modelId + "/quantize", samples("images", 1, 4, 8, 8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode e = TestServer.json(r);
    assertThat(e.get("error").asText()).isEqualTo("invalid_calibration_data");
    assertThat(e.get("detail").asText()).contains("sample0.npz: array 'images' matches no input", "x FLOAT 1x4x8x8");
    assertNothingKept();
  }

  @Test
  void aWrongShapeIsA400NamingTheExpectedShape() throws Exception {
    HttpResponse<String> r = quantize("/api/v1/models/" + modelId + "/quantize", samples("x", 1, 4, 16, 16));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("detail").asText())
        .contains("input 'x' has shape 1x4x16x16 but the model expects 1x4x8x8");
    assertNothingKept();
  }

  @Test
  void requestsWithoutDataOrWithStrayFieldsAreRefused() throws Exception {
    HttpResponse<String> none = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().text("method", "minmax"));
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(none).get("error").asText()).isEqualTo("calibration_required");
    HttpResponse<String> stray = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().text("synthetic", "4").text("colour", "red"));
    assertThat(stray.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(stray).get("detail").asText()).contains("'colour'");
    HttpResponse<String> badName = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().file("calib", "notes.txt", new byte[] {1}));
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(badName).get("detail").asText()).contains("notes.txt is neither .npy/.npz nor");
    HttpResponse<String> badBoxes = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().text("synthetic", "4").text("boxes", "boxes"));
    assertThat(badBoxes.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(badBoxes).get("detail").asText()).contains("no output named 'boxes'", "[y]");
    HttpResponse<String> unknown = quantize("/api/v1/models/" + "0".repeat(64) + "/quantize",
        new Multipart().text("synthetic", "4"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertNothingKept();
  }

  @Test
  void randomDataIsFlaggedTimingOnlyAndThePageFormPostsBack() throws Exception {
    Document page = Jsoup.parse(server.get("/models/" + modelId).body());
    Element form = page.selectFirst("section#quantize form#quantize-form");
    assertThat(form.attr("action")).isEqualTo("/models/" + modelId + "/quantize");
    assertThat(form.attr("enctype")).isEqualTo("multipart/form-data");
    assertThat(form.selectFirst("input[type=file][name=calib][multiple]")).isNotNull();
    assertThat(form.select("select[name=method] option").eachAttr("value"))
        .containsExactly("entropy", "percentile", "minmax");
    for (String field : List.of("synthetic", "percentile", "exclude", "boxes", "size", "scale", "mean", "std")) {
      assertThat(form.selectFirst("input[name=" + field + "]")).as(field).isNotNull();
    }
    // The section comes right after the matrix.
    assertThat(page.selectFirst("section#compatibility").nextElementSibling().id()).isEqualTo("quantize");

    HttpResponse<String> r = quantize("/models/" + modelId + "/quantize",
        new Multipart().text("synthetic", "6").text("method", "minmax"));
    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/models/" + modelId + "#quantize");
    JsonNode q = awaitFinished(modelId);
    assertThat(q.get("state").asText()).as(q.toString()).isEqualTo("succeeded");
    assertThat(q.get("result").get("caveat").asText()).isEqualTo("scales from random data: timing only");
    assertThat(Jsoup.parse(server.get("/models/" + modelId).body()).selectFirst("#quantize-body p.timing-only").text())
        .isEqualTo("scales from random data: timing only");

    // The matrix never calls scales from random data calibrated: JSON, CSV, the column heading and the cell say so
    // on the releases that read the Q/DQ scales; 7.x (scale layers) stays placeholder scales.
    String qid = q.get("result").get("modelId").asText();
    String random = "INT8 (Q/DQ, scales from random data: timing only)";
    JsonNode qMatrix = TestServer.json(server.get("/api/v1/models/" + qid + "/matrix"));
    assertThat(int8Label(qMatrix, "10.3")).isEqualTo(random);
    assertThat(int8Label(qMatrix, "8.6")).isEqualTo(random);
    assertThat(int8Label(qMatrix, "7.1")).isEqualTo("INT8 (placeholder scales)");
    String csv = server.get("/api/v1/models/" + qid + "/matrix.csv").body();
    assertThat(csv).contains(random).doesNotContain("INT8 (calibrated, Q/DQ)");
    Document qPage = Jsoup.parse(server.get("/models/" + qid).body());
    assertThat(qPage.select("table#matrix th.precision[data-precision=int8]").text()).isEqualTo(random);
    Element cell = qPage.selectFirst("tr#trt-10-3 td.cell[data-precision=int8]");
    assertThat(cell.attr("data-label")).isEqualTo(random);
    assertThat(cell.select("span.random-scales").text()).contains("accuracy meaningless");
    assertThat(cell.select("span.qdq-scales")).isEmpty();
    assertThat(qPage.selectFirst(".quantized-from p").text()).contains("build it as \"" + random + "\"");
  }

  @Test
  void leaveOneOutSensitivityFromTheApiRanksEveryLayerAndShowsTheRecommendedSetOnBothPages() throws Exception {
    Element form = Jsoup.parse(server.get("/models/" + modelId).body()).selectFirst("form#quantize-form");
    assertThat(form.select("select[name=sensitivity] option").eachAttr("value"))
        .containsExactly("none", "one-at-a-time", "leave-one-out");
    assertThat(form.selectFirst("input[name=targetError]").val()).isEqualTo("0.01");
    assertThat(form.selectFirst("input[name=budget]").val()).isEqualTo("120s");

    // A target only FP32 layers reach: the analysis must keep some of the ranked layers in FP32.
    HttpResponse<String> r = quantize("/api/v1/models/" + modelId + "/quantize",
        samples("x", 1, 4, 8, 8).text("method", "minmax").text("sensitivity", "leave-one-out")
            .text("targetError", "1e-7").text("budget", "5m"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode q = awaitFinished(modelId);
    assertThat(q.get("state").asText()).as(q.toString()).isEqualTo("succeeded");
    assertThat(q.at("/request/sensitivity/mode").asText()).isEqualTo("leave-one-out");
    JsonNode s = q.get("result").get("sensitivity");
    assertThat(s.get("mode").asText()).isEqualTo("leave-one-out");
    assertThat(s.get("complete").asBoolean()).isTrue();
    assertThat(s.has("model")).isFalse();
    // residual: Conv c1, Conv c2, Add res, MaxPool pool, Gemm fc
    assertThat(s.get("ranking")).hasSize(5);
    assertThat(s.get("layers").asInt()).isEqualTo(5);
    List<String> ranked = new ArrayList<>();
    double previous = Double.POSITIVE_INFINITY;
    for (JsonNode l : s.get("ranking")) {
      ranked.add(l.get("node").asText());
      assertThat(l.get("op").asText()).isIn("Conv", "Add", "MaxPool", "Gemm");
      double removed = l.get("errorRemoved").asDouble();
      assertThat(removed).isLessThanOrEqualTo(previous);
      assertThat(l.get("error").asDouble() + removed).isCloseTo(s.get("baselineError").asDouble(),
          within(1e-12));
      previous = removed;
    }
    assertThat(ranked).containsExactlyInAnyOrder("c1", "c2", "res", "pool", "fc");
    List<String> kept = new ArrayList<>();
    s.get("keptFp32").forEach(k -> kept.add(k.asText()));
    assertThat(kept).isNotEmpty().isEqualTo(ranked.subList(0, kept.size()));
    assertThat(s.get("targetMet").asBoolean()).isEqualTo(s.get("error").asDouble() <= 1e-7);
    // The Q/DQ model stored is the recommended one: its accuracy is the final run's, its FP32 layers the kept set.
    JsonNode result = q.get("result");
    assertThat(result.get("excludedNodes")).hasSize(kept.size());
    assertThat(1 - result.at("/accuracy/outputs/0/cosineMin").asDouble())
        .isCloseTo(s.get("error").asDouble(), within(1e-9));
    String log = server.get(q.get("logUrl").asText()).body();
    assertThat(log).contains("sensitivity analysis leave-one-out", "ranking layers leave-one-out 5/5 (budget left ",
        "kept in FP32: " + String.join(", ", kept));
    assertThat(s.get("budgetCuts")).isEmpty();

    // Both pages show the ranked table and the recommended set with its measured error.
    String qid = result.get("modelId").asText();
    String measured = String.format(Locale.ROOT, "%.4g", s.get("error").asDouble());
    Element item = Jsoup.parse(server.get("/models/" + modelId).body())
        .selectFirst("#quantize-body li.quantization[data-state=succeeded] div.sensitivity[data-mode=leave-one-out]");
    Element onQdq = Jsoup.parse(server.get("/models/" + qid).body())
        .selectFirst(".quantized-from div.sensitivity[data-mode=leave-one-out]");
    for (Element section : List.of(item, onQdq)) {
      assertThat(section).isNotNull();
      assertThat(section.select("table.sensitivity-ranking thead th").eachText())
          .containsExactly("rank", "node", "op", "error", "error removed", "kept in FP32");
      assertThat(section.select("table.sensitivity-ranking tbody tr").eachAttr("data-node")).isEqualTo(ranked);
      assertThat(section.select("table.sensitivity-ranking tbody tr[data-kept=true]").eachAttr("data-node"))
          .isEqualTo(kept);
      assertThat(section.selectFirst("p.recommended span.measured-error").text()).isEqualTo(measured);
      assertThat(section.selectFirst("p.recommended").text())
          .contains("Recommended in FP32: " + String.join(", ", kept));
    }
  }

  /**
   * A budget shorter than what always runs (1 ms; opening the model takes longer): calibration stops
   * after its first sample, nothing is ranked, the final run is skipped, and the result and the page say so.
   */
  @Test
  void aBudgetTooShortForTheAnalysisIsCutAndThePageSaysWhat() throws Exception {
    HttpResponse<String> r = quantize("/api/v1/models/" + modelId + "/quantize",
        samples("x", 1, 4, 8, 8).text("sensitivity", "one-at-a-time").text("budget", "1ms"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode q = awaitFinished(modelId);
    assertThat(q.get("state").asText()).as(q.toString()).isEqualTo("succeeded");
    JsonNode s = q.get("result").get("sensitivity");
    assertThat(s.get("complete").asBoolean()).isFalse();
    assertThat(s.get("remeasured").asBoolean()).isFalse();
    List<String> cuts = new ArrayList<>();
    s.get("budgetCuts").forEach(c -> cuts.add(c.asText()));
    assertThat(cuts).hasSize(3);
    assertThat(cuts.get(0)).isEqualTo("calibration: 1 of 4 samples (the scales come from those)");
    assertThat(cuts.get(1)).startsWith("while ranking: 0 of 5 layers measured (");
    assertThat(cuts.get(2)).startsWith("final run of the written model skipped (");
    assertThat(q.at("/result/calibrationSamples").asInt()).isEqualTo(1);
    Element section = Jsoup.parse(server.get("/models/" + modelId).body())
        .selectFirst("#quantize-body li.quantization[data-state=succeeded] div.sensitivity");
    assertThat(section.selectFirst("p.budget-cuts").text())
        .isEqualTo("Cut by the time budget: " + String.join("; ", cuts) + ".");
  }

  @Test
  void badSensitivityOptionsAre400sThatKeepNothing() throws Exception {
    HttpResponse<String> mode = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().text("synthetic", "4").text("sensitivity", "all-at-once"));
    assertThat(mode.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(mode).get("detail").asText()).contains("one-at-a-time or leave-one-out");
    HttpResponse<String> target = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().text("synthetic", "4").text("sensitivity", "one-at-a-time").text("targetError", "2"));
    assertThat(target.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(target).get("detail").asText()).contains("above 0 and below 1");
    HttpResponse<String> budget = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().text("synthetic", "4").text("sensitivity", "leave-one-out").text("budget", "2h"));
    assertThat(budget.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(budget).get("detail").asText()).contains("at most 60 minutes");
    HttpResponse<String> notDuration = quantize("/api/v1/models/" + modelId + "/quantize",
        new Multipart().text("synthetic", "4").text("sensitivity", "leave-one-out").text("budget", "soon"));
    assertThat(notDuration.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(notDuration).get("detail").asText()).contains("a duration such as 90s");
    assertNothingKept();
  }

  private void assertNothingKept() throws Exception {
    assertThat(server.storedModels()).as("no Q/DQ model stored").isEqualTo(1);
    JsonNode listed = TestServer.json(server.get("/api/v1/models/" + modelId + "/quantizations"));
    assertThat(listed.get("quantizations")).isEmpty();
    Path orders = data.resolve("models").resolve(modelId).resolve("derived").resolve("quantize");
    if (Files.exists(orders)) {
      try (Stream<Path> left = Files.list(orders)) {
        assertThat(left).as("no calibration files kept").isEmpty();
      }
    }
    assertThat(server.tmpEntries()).isZero();
  }
}
