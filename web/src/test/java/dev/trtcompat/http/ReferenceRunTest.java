package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST/GET /api/v1/models/{id}/reference}: real ONNX Runtime runs, each a job with only the reference cell,
 * run by the server's job workers.
 */
class ReferenceRunTest {

  static final Path RELU = Path.of("/usr/share/libonnx-testdata/data/node/test_relu/model.onnx");
  static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestServer(data, 64L << 20);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30));
    b = body == null ? b.POST(HttpRequest.BodyPublishers.noBody())
        : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    return server.send(b.build());
  }

  /** Polls the status URL until the run is no longer queued or running. */
  private JsonNode awaitEnd(String status) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = server.get(status);
      assertThat(r.statusCode()).isEqualTo(200);
      JsonNode s = TestServer.json(r);
      if (!s.get("state").asText().equals("queued") && !s.get("state").asText().equals("running")) {
        return s;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the reference run did not end within " + WAIT);
  }

  @Test
  void aRunOfARealModelSucceedsIsShownOnThePageAndSurvivesARestart() throws Exception {
    String id = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", RELU))).get("id").asText();
    String status = "/api/v1/models/" + id + "/reference";
    assertThat(TestServer.json(server.get(status)).get("state").asText()).isEqualTo("none");

    HttpResponse<String> started = post(status, "{\"runs\": 20, \"warmup\": 3}");

    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    assertThat(started.headers().firstValue("Location")).hasValue(status);
    assertThat(TestServer.json(started).get("status").asText()).isEqualTo(status);
    JsonNode end = awaitEnd(status);
    assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("succeeded");
    JsonNode result = end.get("result");
    assertThat(result.get("runs").asInt()).isEqualTo(20);
    assertThat(result.get("warmupRuns").asInt()).isEqualTo(3);
    assertThat(result.get("threads").asInt()).isPositive();
    assertThat(result.get("onnxruntimeVersion").asText()).matches("\\d+\\.\\d+.*");
    assertThat(result.get("latencyMs").get("min").asDouble()).isPositive();
    assertThat(result.get("latencyMs").get("median").asDouble()).isPositive();
    assertThat(result.get("latencyMs").get("p99").asDouble()).isGreaterThanOrEqualTo(result.get("latencyMs").get("median").asDouble());
    assertThat(result.get("throughputPerSec").asDouble()).isPositive();
    assertThat(result.get("outputs")).hasSize(1);
    JsonNode y = result.get("outputs").get(0);
    assertThat(y.get("name").asText()).isEqualTo("y");
    assertThat(y.get("elemType").asText()).isEqualTo("FLOAT");
    assertThat(y.get("shape").toString()).isEqualTo("[3,4,5]");
    assertThat(y.get("min").asDouble()).isGreaterThanOrEqualTo(0.0); // Relu
    assertThat(result.has("referenceDir")).isFalse();
    // A job cell like any other: listed with the model's jobs; its outputs kept beside the model.
    JsonNode jobs = TestServer.json(server.get("/api/v1/models/" + id + "/jobs")).get("jobs");
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).get("cells")).hasSize(1);
    assertThat(jobs.get(0).at("/cells/0/kind").asText()).isEqualTo("onnxruntime_reference");
    assertThat(jobs.get(0).at("/cells/0/result")).isEqualTo(result);
    assertThat(Files.isDirectory(server.store().modelsDir().resolve(id).resolve("derived").resolve("reference"))).isTrue();

    String page = server.get("/models/" + id).body();
    assertThat(page)
        .contains("<tr id=\"reference-row\" class=\"reference\" data-state=\"succeeded\"><th scope=\"row\">ONNX Runtime CPU FP32 (reference)</th>")
        .containsPattern("latency median [0-9.]+ ms, p99 [0-9.]+ ms · [0-9.]+ runs/s · \\d+ thread\\(s\\) · ONNX Runtime \\d")
        .doesNotContain("action=\"/models/" + id + "/reference\"");

    server.restart();

    JsonNode after = TestServer.json(server.get(status));
    assertThat(after).isEqualTo(end);
    assertThat(server.get("/models/" + id).body()).contains("latency median ");
  }

  @Test
  void aModelOnnxRuntimeRejectsFailsWithItsMessageAndTheServerStillAnswers() throws Exception {
    byte[] model = TestModels.single("NoSuchOperator").build().toByteArray();
    String id = TestServer.json(server.uploadModel("bad.onnx", model)).get("id").asText();
    String status = "/api/v1/models/" + id + "/reference";

    assertThat(post(status, null).statusCode()).isEqualTo(202);
    JsonNode end = awaitEnd(status);

    assertThat(end.get("state").asText()).isEqualTo("failed");
    assertThat(end.get("error").asText()).contains("NoSuchOperator");
    assertThat(end.has("result")).isFalse();
    assertThat(server.get("/api/v1/health").statusCode()).isEqualTo(200);
    assertThat(server.get("/models/" + id).body()).contains("<p class=\"error\">Failed: ").contains("Run again");
    // The failure is kept too.
    server.restart();
    assertThat(TestServer.json(server.get(status)).get("state").asText()).isEqualTo("failed");
  }

  @Test
  void thePageButtonStartsARunAndRedirectsBack() throws Exception {
    String id = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", RELU))).get("id").asText();

    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/models/" + id + "/reference"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("")).build());

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/models/" + id + "#compatibility");
    assertThat(awaitEnd("/api/v1/models/" + id + "/reference").get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void aSecondRunOfTheSameModelWhileOneIsInFlightIsAConflict() throws Exception {
    String id = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", RELU))).get("id").asText();
    String status = "/api/v1/models/" + id + "/reference";

    assertThat(post(status, "{\"runs\": 100000, \"warmup\": 0}").statusCode()).isEqualTo(202);
    HttpResponse<String> second = post(status, null);

    assertThat(second.statusCode()).isEqualTo(409);
    assertThat(TestServer.json(second).get("error").asText()).isEqualTo("reference_run_in_progress");
    assertThat(awaitEnd(status).get("result").get("runs").asInt()).isEqualTo(100000);
  }

  @Test
  void runsInFlightWhenTheServerStopsRunAfterTheRestartInsteadOfFailing() throws Exception {
    String a = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", RELU))).get("id").asText();
    byte[] abs = TestModels.single("Abs").build().toByteArray();
    String b = TestServer.json(server.uploadModel("abs.onnx", abs)).get("id").asText();

    assertThat(post("/api/v1/models/" + a + "/reference", "{\"runs\": 100000, \"warmup\": 0}").statusCode())
        .isEqualTo(202);
    assertThat(post("/api/v1/models/" + b + "/reference", null).statusCode()).isEqualTo(202);
    // b waits behind a (one ONNX Runtime run at a time) when the server stops.
    assertThat(TestServer.json(server.get("/api/v1/models/" + b + "/reference")).get("state").asText())
        .isIn("queued", "running");
    server.restart();

    assertThat(awaitEnd("/api/v1/models/" + a + "/reference").get("state").asText()).isEqualTo("succeeded");
    JsonNode end = awaitEnd("/api/v1/models/" + b + "/reference");
    assertThat(end.get("state").asText()).as(end.toString()).isEqualTo("succeeded");
  }

  @Test
  void badBodiesAndUnknownModelsAreRefused() throws Exception {
    String id = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", RELU))).get("id").asText();
    String status = "/api/v1/models/" + id + "/reference";

    HttpResponse<String> notJson = post(status, "{runs: twenty");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(notJson).get("error").asText()).isEqualTo("invalid_reference_request");
    assertThat(post(status, "{\"runs\": 0}").statusCode()).isEqualTo(400);
    assertThat(TestServer.json(server.get(status)).get("state").asText()).isEqualTo("none");

    String unknown = "/api/v1/models/" + "f".repeat(64) + "/reference";
    assertThat(post(unknown, null).statusCode()).isEqualTo(404);
    assertThat(server.get(unknown).statusCode()).isEqualTo(404);
  }
}
