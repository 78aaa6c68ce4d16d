package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.json.Json;
import dev.trtcompat.service.JobSettings;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durable job routes on a real server: SQLite in the data folder, the real Docker engine running the
 * trtexec TEST DOUBLE image (it replays recorded logs; it is not TensorRT), ONNX Runtime for the reference.
 */
@Tag("docker")
class JobRoutesTest {

  private final String owner = "test-jobs-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;
  private TestServer server;

  private void start(String log, String lineDelay) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(Map.of("TRTEXEC_DOUBLE_LOG", log));
    if (lineDelay != null) {
      env.put("TRTEXEC_DOUBLE_LINE_DELAY", lineDelay);
    }
    start(ConversionSettings.defaults().withImageOverride(ConversionTestSupport.testDoubleImage())
        .withGpus(GpuRequest.none()).withContainerEnv(env), DockerSettings.fromEnvironment(System.getenv()));
  }

  private int maxJobsPerClient = 10;

  private void start(ConversionSettings conversion, DockerSettings docker) throws Exception {
    JobSettings settings = ConversionTestSupport.containerJobs(dir, owner, 2, maxJobsPerClient, Duration.ofSeconds(6),
        docker, conversion);
    server = new TestServer(new ServiceConfig("127.0.0.1", 0, dir, 1L << 30, Duration.ofSeconds(5)), settings);
  }

  private void stopServer() throws Exception {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  @AfterEach
  void stop() throws Exception {
    stopServer();
    assertThat(containersGone()).isEmpty();
  }

  /** A cancelled cell ends at once; its container is stopped and removed within the stop grace. */
  private List<String> containersGone() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<String> left = ConversionTestSupport.containersOf(owner);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
      left = ConversionTestSupport.containersOf(owner);
    }
    return left;
  }

  private URI uri(String path) {
    return server.uri(path);
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode awaitFinished(long job) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode j = get("/api/v1/jobs/" + job);
      if (j.get("state").asText().equals("finished")) {
        return j;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("job " + job + " did not finish in 120 s: " + get("/api/v1/jobs/" + job));
  }

  private static JsonNode cell(JsonNode job, String tensorrt, String precision) {
    for (JsonNode c : job.get("cells")) {
      if (tensorrt == null ? c.get("kind").asText().equals("onnxruntime_reference")
          : tensorrt.equals(c.get("tensorrt").asText()) && precision.equals(c.get("precision").asText())) {
        return c;
      }
    }
    throw new AssertionError("no cell " + tensorrt + " " + precision + " in " + job);
  }

  @Test
  void uploadWithSelectionsRunsEveryCellAndTheEngineDownloadsIntact() throws Exception {
    start("trt10.16-fp32-success.log", null);
    HttpResponse<String> up = http.send(new Multipart()
        .file("model", "abs.onnx", Files.readAllBytes(ConversionTestSupport.ABS_MODEL))
        .text("trt", "8.6").text("trt", "10.0").text("precision", "fp32").text("precision", "fp16")
        .post(uri("/api/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    JsonNode body = Json.mapper().readTree(up.body());
    String model = body.get("id").asText();
    long jobId = body.get("jobId").asLong();

    JsonNode job = awaitFinished(jobId);
    assertThat(job.get("cells")).hasSize(5); // reference + 2 releases x 2 precisions
    JsonNode reference = cell(job, null, null);
    assertThat(reference.get("state").asText()).as(reference.toString()).isEqualTo("succeeded");
    assertThat(reference.get("result").get("latencyMs").get("median").asDouble()).isPositive();
    JsonNode fp16 = cell(job, "10.0", "fp16");
    assertThat(fp16.get("state").asText()).as(fp16.toString()).isEqualTo("succeeded");
    assertThat(fp16.get("result").get("outcome").asText()).isEqualTo("success");
    assertThat(fp16.get("result").get("log").get("latencyMs").get("median").asDouble()).isPositive();

    String engineUrl = fp16.get("engineUrl").asText();
    HttpResponse<byte[]> file = http.send(HttpRequest.newBuilder(uri(engineUrl)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body()));
    assertThat(file.headers().firstValue("X-Engine-Sha256")).hasValue(sha);
    assertThat(engineUrl).endsWith("/" + sha);
    // The test double writes the same bytes for every cell, so the one engine is named after the cell that stored it first.
    assertThat(file.headers().firstValue("Content-Disposition").orElseThrow())
        .matches("attachment; filename=\"model-" + model.substring(0, 12) + "_trt(8\\.6|10\\.0)_fp(16|32)_NVIDIA-H100-PCIe\\.plan\"");

    String log = http.send(HttpRequest.newBuilder(uri(fp16.get("logUrl").asText())).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(log).contains("&&&& PASSED");
    HttpResponse<String> tail = http.send(HttpRequest.newBuilder(uri(fp16.get("logUrl").asText() + "?offset=" + (log.length() - 20))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(tail.body()).hasSize(20);
    assertThat(tail.headers().firstValue("X-Log-Complete")).hasValue("true");

    // The live fragment carries the measured figures, the download link and a retry button per finished cell.
    org.jsoup.nodes.Document fragment = org.jsoup.Jsoup.parse(
        http.send(HttpRequest.newBuilder(uri("/models/" + model + "/matrix")).build(), HttpResponse.BodyHandlers.ofString()).body());
    org.jsoup.nodes.Element td = fragment.selectFirst("tr[data-trt=10.0] td.cell[data-precision=fp16]");
    assertThat(td.attr("data-state")).isEqualTo("succeeded");
    assertThat(td.select("a.engine-download").attr("data-sha256")).isEqualTo(sha);
    assertThat(td.select("form.cell-action").attr("action")).isEqualTo("/cells/" + fp16.get("id").asLong() + "/retry");
    assertThat(fragment.select("tr#reference-row").text()).contains("measured: latency median");

    // The job and its results survive a restart; the same upload again offers them.
    stopServer();
    start("trt10.16-fp32-success.log", null);
    assertThat(get("/api/v1/jobs/" + jobId).get("cells").get(1).get("state").asText()).isEqualTo("succeeded");
    assertThat(get("/api/v1/models/" + model + "/jobs").get("jobs")).hasSize(1);

    // Deleting the model removes its rows, engines, logs and files.
    HttpResponse<String> del = http.send(HttpRequest.newBuilder(uri("/api/v1/models/" + model)).DELETE().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(del.statusCode()).as(del.body()).isEqualTo(204);
    assertThat(http.send(HttpRequest.newBuilder(uri("/api/v1/jobs/" + jobId)).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(404);
    assertThat(http.send(HttpRequest.newBuilder(uri(engineUrl)).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(404);
    assertThat(dir.resolve("models").resolve(model)).doesNotExist();
    try (var logs = Files.list(dir.resolve("logs"))) {
      assertThat(logs).isEmpty();
    }
  }

  @Test
  void staticallyIncompatibleCellsAreSkippedUnlessForcedAndBadRequestsAreRefused() throws Exception {
    start("trt8.x-nonzero-unsupported-plugin-not-found.log", null);
    String model = Json.mapper().readTree(http.send(new Multipart()
        .file("model", "nz.onnx", ConversionTestSupport.nonZeroModel(3, "NonZero_7", "nz_out"))
        .post(uri("/api/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("id").asText();

    HttpResponse<String> r = post("/api/v1/models/" + model + "/jobs",
        "{\"versions\": [\"8.4\", \"8.6\"], \"precisions\": [\"fp32\"], \"reference\": false}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(r.headers().firstValue("Location")).isPresent();
    JsonNode job = awaitFinished(Json.mapper().readTree(r.body()).get("id").asLong());
    JsonNode old = cell(job, "8.4", "fp32");
    assertThat(old.get("state").asText()).isEqualTo("skipped");
    assertThat(old.get("reason").asText()).contains("NonZero");
    JsonNode measured = cell(job, "8.6", "fp32");
    // 8.6 parses NonZero statically; the replayed log is a parse failure, so the cell failed with the node named.
    assertThat(measured.get("state").asText()).isEqualTo("failed");
    assertThat(measured.get("reason").asText()).contains("parse failure");

    HttpResponse<String> forced = post("/api/v1/cells/" + old.get("id").asLong() + "/retry?force=true", "");
    assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
    JsonNode after = awaitFinished(job.get("id").asLong());
    assertThat(cell(after, "8.4", "fp32").get("state").asText()).isEqualTo("failed");
    assertThat(cell(after, "8.4", "fp32").get("forced").asBoolean()).isTrue();

    assertThat(post("/api/v1/models/" + model + "/jobs", "{\"versions\": [\"banana\"]}").statusCode()).isEqualTo(400);
    assertThat(post("/api/v1/models/" + model + "/jobs", "{\"versions\": [\"8.6\"], \"precisions\": [\"fp7\"]}").statusCode()).isEqualTo(400);
    assertThat(post("/api/v1/models/" + model + "/jobs", "not json").statusCode()).isEqualTo(400);
    assertThat(post("/api/v1/models/" + "0".repeat(64) + "/jobs", "{\"versions\": [\"8.6\"]}").statusCode()).isEqualTo(404);
    assertThat(http.send(HttpRequest.newBuilder(uri("/api/v1/cells/99999/log")).build(), HttpResponse.BodyHandlers.ofString())
        .statusCode()).isEqualTo(404);
  }

  @Test
  void eventsStreamCellStatesAndLogLinesAndCancelStopsTheContainer() throws Exception {
    start("trt10.16-fp32-success.log", "0.2");
    String model = Json.mapper().readTree(http.send(new Multipart()
        .file("model", "abs.onnx", Files.readAllBytes(ConversionTestSupport.ABS_MODEL))
        .post(uri("/api/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("id").asText();

    HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(uri("/api/v1/models/" + model + "/events"))
        .header("Accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (Exception e) {
        // closed at the end of the test
      }
    });

    HttpResponse<String> r = post("/api/v1/models/" + model + "/jobs",
        "{\"versions\": [\"10.0\"], \"precisions\": [\"fp32\"], \"reference\": false}");
    JsonNode job = Json.mapper().readTree(r.body());
    long cellId = job.get("cells").get(0).get("id").asLong();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && lines.stream().noneMatch(l -> l.startsWith("event: log"))) {
      Thread.sleep(100);
    }
    assertThat(lines).contains("event: cell");
    assertThat(lines).anyMatch(l -> l.startsWith("data: ") && l.contains("\"to\":\"RUNNING\"") && l.contains("\"cellId\":" + cellId));
    assertThat(lines).contains("event: log");

    HttpResponse<String> cancel = post("/api/v1/cells/" + cellId + "/cancel", "");
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    JsonNode done = awaitFinished(job.get("id").asLong());
    assertThat(done.get("cells").get(0).get("state").asText()).isEqualTo("cancelled");
    while (System.nanoTime() < deadline && lines.stream().noneMatch(l -> l.contains("\"to\":\"CANCELLED\""))) {
      Thread.sleep(100);
    }
    assertThat(lines).anyMatch(l -> l.contains("\"to\":\"CANCELLED\""));
    assertThat(containersGone()).isEmpty();
    stream.body().close();
    reader.cancel(true);
  }

  private String uploadNonZero() throws Exception {
    return Json.mapper().readTree(http.send(new Multipart()
        .file("model", "nz.onnx", ConversionTestSupport.nonZeroModel(84, "NonZero_559", "onnx::Transpose_634"))
        .post(uri("/api/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("id").asText();
  }

  @Test
  void aParseFailureNamesTheModelsNodeAndOffersNoEngine() throws Exception {
    start("trt8.x-nonzero-unsupported-plugin-not-found.log", null);
    String model = uploadNonZero();
    HttpResponse<String> r = post("/api/v1/models/" + model + "/jobs", "{\"versions\": [\"8.6\"], \"reference\": false}");
    JsonNode cell = awaitFinished(Json.mapper().readTree(r.body()).get("id").asLong()).get("cells").get(0);
    assertThat(cell.get("state").asText()).isEqualTo("failed");
    assertThat(cell.get("reason").asText()).startsWith("parse failure at node 84");
    JsonNode result = cell.get("result");
    assertThat(result.get("outcome").asText()).isEqualTo("parse_failure");
    assertThat(result.get("modelNode").get("position").asInt()).isEqualTo(84);
    assertThat(result.get("modelNode").get("modelOp").asText()).isEqualTo("NonZero");
    assertThat(result.get("modelNode").get("modelName").asText()).isEqualTo("NonZero_559");
    assertThat(cell.get("engineUrl").isNull()).isTrue();
  }

  @Test
  void aMissingImageFailsTheCellWithAClearReason() throws Exception {
    start(ConversionSettings.defaults().withImageOverride("trt-compat-test-double/tensorrt:absent-" + owner)
        .withGpus(GpuRequest.none()), DockerSettings.fromEnvironment(System.getenv()));
    String model = uploadNonZero();
    HttpResponse<String> r = post("/api/v1/models/" + model + "/jobs", "{\"versions\": [\"8.6\"], \"reference\": false}");
    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode cell = awaitFinished(Json.mapper().readTree(r.body()).get("id").asLong()).get("cells").get(0);
    assertThat(cell.get("state").asText()).isEqualTo("failed");
    assertThat(cell.get("reason").asText()).contains("absent-" + owner).contains("pull");
  }

  @Test
  void withDockerDownCellsFailClearlyAndLogExplainingStillWorks() throws Exception {
    start(ConversionSettings.defaults().withGpus(GpuRequest.none()),
        new DockerSettings("unix://" + dir.resolve("no-docker.sock"), false, null, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    String model = uploadNonZero();
    HttpResponse<String> r = post("/api/v1/models/" + model + "/jobs", "{\"versions\": [\"8.6\"], \"reference\": false}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode cell = awaitFinished(Json.mapper().readTree(r.body()).get("id").asLong()).get("cells").get(0);
    assertThat(cell.get("state").asText()).isEqualTo("failed");
    assertThat(cell.get("reason").asText()).containsIgnoringCase("docker").doesNotContain("Exception").doesNotContain("\tat ");

    HttpResponse<String> explained = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/explain?model=" + model))
        .POST(HttpRequest.BodyPublishers.ofString(ConversionTestSupport.recordedLog("trt8.x-nonzero-unsupported-plugin-not-found.log"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(explained.statusCode()).as(explained.body()).isEqualTo(200);
    JsonNode e = Json.mapper().readTree(explained.body());
    assertThat(e.get("outcome").asText()).isEqualTo("parse_failure");
    assertThat(e.get("failingNode").get("index").asInt()).isEqualTo(84);
    assertThat(e.get("modelNode").get("modelOp").asText()).isEqualTo("NonZero");
    HttpResponse<String> notALog = http.send(HttpRequest.newBuilder(uri("/api/v1/logs/explain"))
        .POST(HttpRequest.BodyPublishers.ofString("hello world\n")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(notALog.statusCode()).isEqualTo(422);
  }

  @Test
  void overTheClientsJobLimitTheUploadIsKeptAndTheJobRefusedWith429() throws Exception {
    maxJobsPerClient = 1;
    start(ConversionSettings.defaults().withImageOverride(ConversionTestSupport.testDoubleImage())
        .withGpus(GpuRequest.none()).withContainerEnv(Map.of("TRTEXEC_DOUBLE_SLEEP", "30")),
        DockerSettings.fromEnvironment(System.getenv()));
    HttpResponse<String> first = http.send(new Multipart()
        .file("model", "abs.onnx", Files.readAllBytes(ConversionTestSupport.ABS_MODEL)).text("trt", "10.0").text("reference", "off")
        .post(uri("/api/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    long job = Json.mapper().readTree(first.body()).get("jobId").asLong();

    HttpResponse<String> second = http.send(new Multipart()
        .file("model", "nz.onnx", ConversionTestSupport.nonZeroModel(3, "NonZero_7", "nz_out")).text("trt", "10.0")
        .post(uri("/api/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
    JsonNode refusal = Json.mapper().readTree(second.body());
    assertThat(refusal.get("detail").asText()).startsWith("The model was stored as ").contains("job was not started");
    assertThat(Json.mapper().readTree(http.send(HttpRequest.newBuilder(uri("/api/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString()).body()).get("models")).hasSize(2);

    assertThat(post("/api/v1/jobs/" + job + "/cancel", "").statusCode()).isEqualTo(200);
    assertThat(awaitFinished(job).get("cells").get(0).get("state").asText()).isEqualTo("cancelled");
  }

  @Test
  void twoCellsBuildingTheSameEngineAtOnceBothSucceedAndShareIt() throws Exception {
    // The test double writes identical bytes for every precision; with two workers both cells store the same
    // engine at the same moment.
    start(ConversionSettings.defaults().withImageOverride(ConversionTestSupport.testDoubleImage())
        .withGpus(GpuRequest.none()).withContainerEnv(Map.of("TRTEXEC_DOUBLE_SLEEP", "2")),
        DockerSettings.fromEnvironment(System.getenv()));
    String model = Json.mapper().readTree(http.send(new Multipart()
        .file("model", "abs.onnx", Files.readAllBytes(ConversionTestSupport.ABS_MODEL))
        .post(uri("/api/v1/models")).build(), HttpResponse.BodyHandlers.ofString()).body()).get("id").asText();
    HttpResponse<String> r = post("/api/v1/models/" + model + "/jobs",
        "{\"versions\": [\"10.0\"], \"precisions\": [\"fp32\", \"fp16\"], \"reference\": false}");
    JsonNode job = awaitFinished(Json.mapper().readTree(r.body()).get("id").asLong());
    JsonNode a = cell(job, "10.0", "fp32");
    JsonNode b = cell(job, "10.0", "fp16");
    assertThat(a.get("state").asText()).as(a.toString()).isEqualTo("succeeded");
    assertThat(b.get("state").asText()).as(b.toString()).isEqualTo("succeeded");
    assertThat(a.get("engineUrl").asText()).isEqualTo(b.get("engineUrl").asText());
    assertThat(http.send(HttpRequest.newBuilder(uri(a.get("engineUrl").asText())).build(), HttpResponse.BodyHandlers.ofByteArray())
        .statusCode()).isEqualTo(200);
  }
}
