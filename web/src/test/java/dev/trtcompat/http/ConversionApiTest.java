package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.FileModelStore;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.Multipart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The conversion routes on a real server, running the trtexec TEST DOUBLE image on the real Docker engine. */
@Tag("docker")
class ConversionApiTest {

  private final String owner = "test-api-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;
  private FileModelStore store;
  private WebServer server;

  private void start(ConversionSettings conversion, DockerSettings docker) throws Exception {
    store = FileModelStore.open(dir);
    ConversionApi api = new ConversionApi(new ConversionApi.Settings(docker,
        RunnerSettings.defaults(owner).withPull(false, Duration.ofSeconds(10)).withStopGrace(Duration.ofSeconds(1)),
        conversion, dir, 2, 8), store, store::modelFile);
    server = WebServer.start(new ServiceConfig("127.0.0.1", 0, dir, 1L << 30, Duration.ofSeconds(5)), store,
        WebServer.summarySections(), api);
  }

  private void startWithTestDouble(String log) throws Exception {
    start(ConversionSettings.defaults().withImageOverride(ConversionTestSupport.testDoubleImage())
        .withGpus(GpuRequest.none()).withContainerEnv(Map.of("TRTEXEC_DOUBLE_LOG", log)),
        DockerSettings.fromEnvironment(System.getenv()));
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    assertThat(ConversionTestSupport.containersOf(owner)).isEmpty();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private String upload(byte[] model) throws Exception {
    HttpResponse<String> r = http.send(new Multipart().file("model", "m.onnx", model).post(uri("/api/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    return Json.mapper().readTree(r.body()).get("id").asText();
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  private JsonNode awaitEnd(String id) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode c = get("/api/v1/conversions/" + id);
      String status = c.get("status").asText();
      if (status.equals("finished") || status.equals("failed")) {
        return c;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("conversion " + id + " did not end in 90 s");
  }

  @Test
  void conversionRunsInTheBackgroundAndItsEngineDownloadsWithNameAndValidity() throws Exception {
    startWithTestDouble("trt10.16-fp32-success.log");
    String model = upload(Files.readAllBytes(ConversionTestSupport.ABS_MODEL));

    HttpResponse<String> started = post("/api/v1/models/" + model + "/conversions",
        "{\"versions\": [\"10.3\"], \"precisions\": [\"fp16\", \"fp32\"], \"timeoutSeconds\": 60}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode conversions = Json.mapper().readTree(started.body()).get("conversions");
    assertThat(conversions).hasSize(2);
    JsonNode first = conversions.get(0);
    assertThat(first.get("precision").asText()).isEqualTo("fp16");

    JsonNode done = awaitEnd(first.get("id").asText());
    assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("finished");
    JsonNode result = done.get("result");
    assertThat(result.get("outcome").asText()).isEqualTo("success");
    // Accuracy was checked (flags passed) but the test double exported nothing here: null plus a note.
    assertThat(result.has("accuracy")).isTrue();
    assertThat(result.get("arguments").toString()).contains("--exportOutput=/out/outputs.json");
    assertThat(result.get("notes").toString()).contains("Accuracy not checked");
    JsonNode engine = result.get("engine");
    assertThat(engine.get("modelSha256").asText()).isEqualTo(model);
    assertThat(engine.get("tensorrtVersion").asText()).startsWith("10.16");
    // The test double writes the same bytes for every precision, so whichever run stored them first names it.
    assertThat(result.get("precision").asText()).isEqualTo("fp16");
    assertThat(engine.get("precision").asText()).isIn("fp16", "fp32");
    assertThat(engine.get("imageId").asText()).startsWith("sha256:");
    assertThat(done.get("validity").asText()).isEqualTo(engine.get("validity").asText()).contains("Only valid with TensorRT 10.16");

    String log = http.send(HttpRequest.newBuilder(uri(done.get("logUrl").asText())).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(log).contains("&&&& PASSED");

    HttpResponse<byte[]> file = http.send(HttpRequest.newBuilder(uri(done.get("engineUrl").asText())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body()));
    assertThat(sha).isEqualTo(engine.get("sha256").asText());
    assertThat(file.headers().firstValue("X-Engine-Sha256")).hasValue(sha);
    assertThat(file.headers().firstValue("X-Engine-Validity")).hasValue(engine.get("validity").asText());
    assertThat(file.headers().firstValue("Content-Disposition").orElseThrow())
        .startsWith("attachment; filename=\"model-" + model.substring(0, 12) + "_trt10.16")
        .contains("_" + engine.get("precision").asText() + "_").contains("H100").endsWith(".plan\"");

    JsonNode second = awaitEnd(conversions.get(1).get("id").asText());
    assertThat(second.get("result").get("outcome").asText()).isEqualTo("success");
    assertThat(second.get("result").get("engine").get("sha256").asText()).isEqualTo(sha);
    try (var work = Files.list(dir.resolve("work"))) {
      assertThat(work).isEmpty();
    }
  }

  @Test
  void parseFailureReportsTheModelsNodeAndOffersNoEngine() throws Exception {
    startWithTestDouble("trt8.x-nonzero-unsupported-plugin-not-found.log");
    String model = upload(ConversionTestSupport.nonZeroModel(84, "NonZero_559", "onnx::Transpose_634"));
    HttpResponse<String> started = post("/api/v1/models/" + model + "/conversions", "{\"versions\": [\"8.6\"]}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    String id = Json.mapper().readTree(started.body()).get("conversions").get(0).get("id").asText();
    JsonNode done = awaitEnd(id);
    JsonNode result = done.get("result");
    assertThat(result.get("outcome").asText()).isEqualTo("parse_failure");
    assertThat(result.get("modelNode").get("position").asInt()).isEqualTo(84);
    assertThat(result.get("modelNode").get("modelOp").asText()).isEqualTo("NonZero");
    assertThat(result.get("modelNode").get("modelName").asText()).isEqualTo("NonZero_559");
    assertThat(done.get("engineUrl").isNull()).isTrue();
    HttpResponse<String> engine = http.send(HttpRequest.newBuilder(uri("/api/v1/conversions/" + id + "/engine")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(engine.statusCode()).isEqualTo(404);
    assertThat(Json.mapper().readTree(engine.body()).get("error").asText()).isEqualTo("no_engine");
  }

  @Test
  void missingImageIs503Json() throws Exception {
    start(ConversionSettings.defaults().withImageOverride("trt-compat-test-double/tensorrt:absent-" + owner)
        .withGpus(GpuRequest.none()), DockerSettings.fromEnvironment(System.getenv()));
    String model = upload(Files.readAllBytes(ConversionTestSupport.ABS_MODEL));
    HttpResponse<String> r = post("/api/v1/models/" + model + "/conversions", "{\"versions\": [\"8.6\"]}");
    assertThat(r.statusCode()).isEqualTo(503);
    JsonNode body = Json.mapper().readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo("image_unavailable");
    assertThat(body.get("detail").asText()).contains("absent-" + owner).contains("pulling is turned off");
  }

  @Test
  void dockerDownIs503JsonAndLogExplainingStillWorks() throws Exception {
    start(ConversionSettings.defaults().withGpus(GpuRequest.none()),
        new DockerSettings("unix://" + dir.resolve("no-docker.sock"), false, null, Duration.ofSeconds(1), Duration.ofSeconds(1)));
    String model = upload(ConversionTestSupport.nonZeroModel(84, "NonZero_559", "onnx::Transpose_634"));
    HttpResponse<String> r = post("/api/v1/models/" + model + "/conversions", "{\"versions\": [\"8.6\"]}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
    assertThat(Json.mapper().readTree(r.body()).get("error").asText()).isEqualTo("docker_unavailable");

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

    HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(uri("/api/v1/conversions/nope")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(Json.mapper().readTree(unknown.body()).get("error").asText()).isEqualTo("conversion_not_found");

    HttpResponse<String> bad = post("/api/v1/models/" + model + "/conversions", "{\"versions\": [\"eight\"]}");
    assertThat(bad.statusCode()).isEqualTo(400);
  }
}
