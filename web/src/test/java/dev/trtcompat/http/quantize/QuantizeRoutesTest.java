package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.HexFormat;
import java.util.List;
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
