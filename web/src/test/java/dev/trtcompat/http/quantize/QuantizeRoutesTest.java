package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.quantize.QuantizeTestModels;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/models/{id}/quantize} and {@code .../fp16} on a real server: a small residual Conv network
 * calibrated on uploaded .npz files becomes a Q/DQ (or FP16) model of its own (linked to its source, downloadable,
 * with its accuracy), and bad calibration data is a 400 naming the input and its expected shape that leaves nothing
 * behind.
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
    return awaitFinished(server, id, "quantizations", "quantizations");
  }

  private JsonNode awaitFinished(String id, String listing, String key) throws Exception {
    return awaitFinished(server, id, listing, key);
  }

  /** The newest conversion listed at {@code /api/v1/models/ID/LISTING} under {@code key}, once it has finished. */
  static JsonNode awaitFinished(TestServer server, String id, String listing, String key) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (true) {
      JsonNode q = TestServer.json(server.get("/api/v1/models/" + id + "/" + listing)).get(key).get(0);
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
    JsonNode accuracy = heldOutAccuracyOfY(result, 0.99, 1);

    // A model of its own, content-addressed, downloadable, linked back to its source.
    assertThat(download(result, "residual.int8.onnx", qid))
        .contains("QuantizeLinear", "trt_compat.calibration_sha256", "5 uploaded file(s)");
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

  /** The result's accuracy: held out, output y within these bounds against FP32, top-1 agreement reported. */
  private static JsonNode heldOutAccuracyOfY(JsonNode result, double minCosine, double maxAbsError) {
    JsonNode accuracy = result.get("accuracy");
    assertThat(accuracy.get("heldOut").asBoolean()).isTrue();
    JsonNode y = accuracy.get("outputs").get(0);
    assertThat(y.get("name").asText()).isEqualTo("y");
    assertThat(y.get("cosineMin").asDouble()).isGreaterThan(minCosine);
    assertThat(y.get("maxAbsError").asDouble()).isGreaterThan(0).isLessThan(maxAbsError);
    assertThat(y.get("top1Agreement").isNumber()).isTrue();
    return accuracy;
  }

  /**
   * Downloads the converted model from the result's URL: named {@code fileName}, its SHA-256 the model id, no server
   * path inside; its bytes as text for the caller's checks.
   */
  private String download(JsonNode result, String fileName, String id) throws Exception {
    HttpResponse<byte[]> file = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.uri(result.get("downloadUrl").asText())).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("Content-Disposition"))
        .hasValue("attachment; filename=\"" + fileName + "\"");
    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body()))).isEqualTo(id);
    String text = new String(file.body(), StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain(data.toString());
    return text;
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
  void aWrongTypeIsA400NamingTheExpectedType() throws Exception {
    HostTensor doubles = new HostTensor("x", ElementType.DOUBLE, new long[] {1, 4, 8, 8}, ByteBuffer.allocate(256 * 8));
    Multipart m = new Multipart();
    for (int i = 0; i < 2; i++) {
      m.file("calib", "sample" + i + ".npz", QuantizeTestModels.npz(scratch, doubles));
    }
    HttpResponse<String> r = quantize("/api/v1/models/" + modelId + "/quantize", m);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("detail").asText())
        .contains("input 'x' is DOUBLE but the model expects FLOAT 1x4x8x8");
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

  /**
   * The checks are the command line's, but over HTTP they name the form field the client sent, never a CLI flag:
   * one validation, two vocabularies.
   */
  @Test
  void optionErrorsNameTheFieldTheClientSentNotACommandLineFlag() throws Exception {
    String int8 = "/api/v1/models/" + modelId + "/quantize";
    String fp16 = "/api/v1/models/" + modelId + "/fp16";
    Map<String, Multipart> requests = new LinkedHashMap<>();
    requests.put("synthetic takes a sample count between 1 and 100000, got 0",
        new Multipart().text("synthetic", "0"));
    requests.put("evalSamples must be at least 1, got 0",
        new Multipart().text("synthetic", "2").text("evalSamples", "0"));
    requests.put("percentile must be above 0 and at most 100, got 101.0",
        new Multipart().text("synthetic", "2").text("percentile", "101"));
    requests.put("targetError must be above 0 and below 1 (it is 1 - cosine similarity), got 2.0",
        new Multipart().text("synthetic", "2").text("sensitivity", "one-at-a-time").text("targetError", "2"));
    requests.put("budget must be a duration such as 90s, 5m or 500ms, got 'soon'",
        new Multipart().text("synthetic", "2").text("sensitivity", "one-at-a-time").text("budget", "soon"));
    requests.put("budget must be a positive duration, got PT0S",
        new Multipart().text("synthetic", "2").text("sensitivity", "one-at-a-time").text("budget", "0s"));
    requests.put("sensitivity must be one-at-a-time or leave-one-out, got 'random'",
        new Multipart().text("synthetic", "2").text("sensitivity", "random"));
    requests.put("every std value must be above 0", new Multipart().text("synthetic", "2").text("std", "0,1,1"));
    requests.put("mean '1,2' is not three comma-separated numbers",
        new Multipart().text("synthetic", "2").text("mean", "1,2"));
    requests.put("scale must be a positive number, e.g. 1/255",
        new Multipart().text("synthetic", "2").text("scale", "0"));
    requests.put("size must be positive, e.g. 224x224", new Multipart().text("synthetic", "2").text("size", "0x4"));
    requests.put("size 'big' is not WIDTHxHEIGHT, e.g. 224x224",
        new Multipart().text("synthetic", "2").text("size", "big"));
    for (Map.Entry<String, Multipart> e : requests.entrySet()) {
      HttpResponse<String> r = quantize(int8, e.getValue());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(TestServer.json(r).get("detail").asText()).isEqualTo(e.getKey());
    }
    HttpResponse<String> count = quantize(fp16, new Multipart().text("synthetic", "100001"));
    assertThat(TestServer.json(count).get("detail").asText())
        .isEqualTo("synthetic takes a sample count between 1 and 100000, got 100001");
    assertNothingKept();
  }

  @Test
  void fp16OnUploadedFilesIsStoredLinkedAndShownNextToTheMatrix() throws Exception {
    HttpResponse<String> r = quantize("/api/v1/models/" + modelId + "/fp16",
        samples("x", 1, 4, 8, 8).text("exclude", "Gemm"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode accepted = TestServer.json(r);
    long jobId = accepted.get("jobId").asLong();
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + jobId);
    assertThat(accepted.get("conversionsUrl").asText()).isEqualTo("/api/v1/models/" + modelId + "/fp16");

    JsonNode c = awaitFinished(modelId, "fp16", "conversions");
    assertThat(c.get("state").asText()).as(c.toString()).isEqualTo("succeeded");
    assertThat(c.at("/request/exclude/0").asText()).isEqualTo("Gemm");
    assertThat(c.at("/request/method").isNull()).isTrue();
    JsonNode result = c.get("result");
    String fid = result.get("modelId").asText();
    assertThat(fid).matches("[0-9a-f]{64}").isNotEqualTo(modelId);
    assertThat(result.get("fileName").asText()).isEqualTo("residual.fp16.onnx");
    assertThat(result.get("statistics").asText()).isEqualTo("5 uploaded file(s): sample0.npz ... sample4.npz");
    assertThat(result.get("synthetic").asBoolean()).isFalse();
    assertThat(result.has("caveat")).isFalse();
    // residual: Conv c1, Relu r1, Conv c2, Add res, MaxPool pool, Flatten flat in FP16; Gemm fc kept in FP32 as asked
    assertThat(result.get("fp16Nodes").asInt()).isEqualTo(6);
    assertThat(result.get("fp32Nodes").asInt()).isEqualTo(1);
    assertThat(result.at("/keptFp32/0/node").asText()).isEqualTo("fc");
    assertThat(result.at("/keptFp32/0/reason").asText()).contains("named by the user");
    assertThat(result.get("weightsConverted").asInt()).isPositive();
    JsonNode accuracy = heldOutAccuracyOfY(result, 0.999, 0.1);
    JsonNode cell = TestServer.json(server.get("/api/v1/jobs/" + jobId)).get("cells").get(0);
    assertThat(cell.get("kind").asText()).isEqualTo("fp16");

    // A model of its own, content-addressed, downloadable, linked back to its source.
    assertThat(download(result, "residual.fp16.onnx", fid))
        .contains("trt_compat.precision", "fp16 mixed (1 node(s) kept FP32)", "5 uploaded file(s)");
    JsonNode fp16Listing = TestServer.json(server.get("/api/v1/models/" + fid + "/fp16"));
    assertThat(fp16Listing.get("convertedFrom").get("sourceModelId").asText()).isEqualTo(modelId);
    assertThat(fp16Listing.get("convertedFrom").get("accuracy")).isEqualTo(accuracy);
    assertThat(fp16Listing.get("conversions")).isEmpty();
    // Neither listing mixes the two kinds.
    assertThat(TestServer.json(server.get("/api/v1/models/" + modelId + "/quantizations")).get("quantizations"))
        .isEmpty();
    assertThat(TestServer.json(server.get("/api/v1/models/" + fid + "/quantizations")).get("quantizedFrom").isNull())
        .isTrue();
    try (Stream<Path> orders = Files.list(data.resolve("models").resolve(modelId).resolve("derived").resolve("fp16"))) {
      assertThat(orders).isEmpty();
    }
    assertThat(server.tmpEntries()).isZero();
    // The FP16 job measures nothing in the matrix, so it hides no measurement.
    assertThat(TestServer.json(server.get("/api/v1/models/" + modelId + "/matrix")).get("jobId").isNull()).isTrue();

    // The pages: next to the matrix, after the quantization section; the source lists the conversion with the
    // precision summary, the node kept in FP32 and why, and the accuracy; the FP16 model names its source.
    Document source = Jsoup.parse(server.get("/models/" + modelId).body());
    assertThat(source.selectFirst("section#quantize").nextElementSibling().id()).isEqualTo("fp16");
    Element item = source.selectFirst("section#fp16 #fp16-body li.fp16-conversion[data-state=succeeded]");
    assertThat(item).isNotNull();
    assertThat(item.selectFirst("a.fp16-model").attr("href")).isEqualTo("/models/" + fid);
    assertThat(item.selectFirst("a.fp16-download").attr("href")).isEqualTo(result.get("downloadUrl").asText());
    assertThat(item.selectFirst("p.precision-summary").text()).startsWith("6 node(s) in FP16, 1 kept in FP32");
    assertThat(item.selectFirst("table.kept-fp32 tr[data-node=fc] td.op").text()).isEqualTo("Gemm");
    assertThat(item.selectFirst("table.kept-fp32 tr[data-node=fc] td.reason").text()).contains("named by the user");
    assertThat(item.selectFirst("table.accuracy tr[data-output=y] td.cosine-min").text()).matches("0\\.999\\d+|1\\.0+");
    assertThat(source.select("#quantize-body li")).isEmpty();
    Document fPage = Jsoup.parse(server.get("/models/" + fid).body());
    assertThat(fPage.selectFirst(".fp16-from a.source-model").attr("href")).isEqualTo("/models/" + modelId);
    assertThat(fPage.selectFirst(".fp16-from table.kept-fp32 tr[data-node=fc]")).isNotNull();
    assertThat(fPage.selectFirst(".fp16-from table.accuracy tr[data-output=y]")).isNotNull();
    assertThat(fPage.selectFirst(".quantized-from")).isNull();
  }

  @Test
  void fp16FromThePageFormReportsIouForTheNamedBoxOutput() throws Exception {
    HttpResponse<String> up = server.uploadModel("detection.onnx",
        Files.readAllBytes(Path.of(System.getProperty("trtcompat.repo", ".."),
            "compat-matrix/src/test/resources/pytorch-exports/detection_nms_nonzero.onnx")));
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    String detection = TestServer.json(up).get("id").asText();
    Element form = Jsoup.parse(server.get("/models/" + detection).body()).selectFirst("section#fp16 form#fp16-form");
    assertThat(form.attr("action")).isEqualTo("/models/" + detection + "/fp16");
    assertThat(form.attr("enctype")).isEqualTo("multipart/form-data");
    assertThat(form.selectFirst("input[type=file][name=calib][multiple]")).isNotNull();
    for (String field : List.of("synthetic", "exclude", "boxes", "size", "scale", "mean", "std")) {
      assertThat(form.selectFirst("input[name=" + field + "]")).as(field).isNotNull();
    }
    assertThat(form.select("[name=method], [name=sensitivity]")).isEmpty();

    HttpResponse<String> r = quantize("/models/" + detection + "/fp16",
        new Multipart().text("synthetic", "8").text("boxes", "boxes"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/models/" + detection + "#fp16");
    JsonNode c = awaitFinished(detection, "fp16", "conversions");
    assertThat(c.get("state").asText()).as(c.toString()).isEqualTo("succeeded");
    JsonNode result = c.get("result");
    assertThat(result.get("caveat").asText()).isEqualTo("FP32 keep list and accuracy from random data: timing only");
    JsonNode boxes = null;
    for (JsonNode o : result.at("/accuracy/outputs")) {
      if (o.get("name").asText().equals("boxes")) {
        boxes = o;
      }
    }
    assertThat(boxes).as(result.toString()).isNotNull();
    assertThat(boxes.get("meanIou").asDouble()).isGreaterThan(0.5);
    assertThat(boxes.get("iouAtLeastHalf").isNumber()).isTrue();
    Element item = Jsoup.parse(server.get("/models/" + detection).body())
        .selectFirst("#fp16-body li.fp16-conversion[data-state=succeeded]");
    assertThat(item.selectFirst("p.timing-only").text()).isEqualTo(result.get("caveat").asText());
    // FP16 has no scales: neither its result, its log nor its page speaks of them
    assertThat(result.get("statistics").asText()).isEqualTo("8 random sample(s), seed 42 (" + result.get("caveat").asText() + ")");
    String log = server.get(c.get("logUrl").asText()).body();
    assertThat(log).contains("statistics from 8 random sample(s)");
    assertThat(result.toString() + log + item.text()).doesNotContain("scales");
    assertThat(item.selectFirst("table.accuracy tr[data-output=boxes] td.iou").text()).matches("0\\.\\d{4}|1\\.0000");
  }

  @Test
  void badFp16RequestsAre400sThatKeepNothing() throws Exception {
    String fp16 = "/api/v1/models/" + modelId + "/fp16";
    HttpResponse<String> name = quantize(fp16, samples("images", 1, 4, 8, 8));
    assertThat(name.statusCode()).as(name.body()).isEqualTo(400);
    assertThat(TestServer.json(name).get("error").asText()).isEqualTo("invalid_calibration_data");
    assertThat(TestServer.json(name).get("detail").asText())
        .contains("sample0.npz: array 'images' matches no input", "x FLOAT 1x4x8x8");
    HttpResponse<String> shape = quantize(fp16, samples("x", 1, 4, 16, 16));
    assertThat(shape.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(shape).get("detail").asText())
        .contains("input 'x' has shape 1x4x16x16 but the model expects 1x4x8x8");
    HttpResponse<String> none = quantize(fp16, new Multipart().text("exclude", "Gemm"));
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(none).get("error").asText()).isEqualTo("calibration_required");
    HttpResponse<String> int8Only = quantize(fp16, new Multipart().text("synthetic", "4").text("method", "minmax"));
    assertThat(int8Only.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(int8Only).get("detail").asText()).contains("'method'");
    HttpResponse<String> keep = quantize(fp16, new Multipart().text("synthetic", "4").text("exclude", "fc,Softmax"));
    assertThat(keep.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(keep).get("error").asText()).isEqualTo("unknown_exclude");
    assertThat(TestServer.json(keep).get("detail").asText())
        .isEqualTo("exclude: Softmax matches no node name or operator type of the model");
    HttpResponse<String> badBoxes = quantize(fp16, new Multipart().text("synthetic", "4").text("boxes", "boxes"));
    assertThat(badBoxes.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(badBoxes).get("detail").asText()).contains("no output named 'boxes'", "[y]");
    HttpResponse<String> unknown = quantize("/api/v1/models/" + "0".repeat(64) + "/fp16",
        new Multipart().text("synthetic", "4"));
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertNothingKept("fp16", "conversions", "fp16");
  }

  private void assertNothingKept() throws Exception {
    assertNothingKept("quantizations", "quantizations", "quantize");
  }

  private void assertNothingKept(String listing, String key, String ordersFolder) throws Exception {
    assertThat(server.storedModels()).as("no converted model stored").isEqualTo(1);
    JsonNode listed = TestServer.json(server.get("/api/v1/models/" + modelId + "/" + listing));
    assertThat(listed.get(key)).isEmpty();
    Path orders = data.resolve("models").resolve(modelId).resolve("derived").resolve(ordersFolder);
    if (Files.exists(orders)) {
      try (Stream<Path> left = Files.list(orders)) {
        assertThat(left).as("no calibration files kept").isEmpty();
      }
    }
    assertThat(server.tmpEntries()).isZero();
  }
}
