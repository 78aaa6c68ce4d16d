package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Path and query parameters read by Javalin's validators answer in the API's error shape: a bad parameter is
 * {@code 400 invalid_parameter} naming it, the rule and the value; an id that cannot be one is the 404 of the
 * thing it names. A reference-only job gives a real cell for the log route, so no Docker is needed.
 */
class ParamValidationTest {

  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private void assertError(String path, int status, String error, String detail) throws Exception {
    HttpResponse<String> r = server.get(path);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(status);
    JsonNode body = TestServer.json(r);
    assertThat(body.get("error").asText()).isEqualTo(error);
    assertThat(body.get("detail").asText()).isEqualTo(detail);
    assertThat(r.body()).doesNotContain("TYPE_CONVERSION_FAILED").doesNotContain("Exception");
  }

  @Test
  void aBadListLimitOrSearchIsA400NamingTheParameterAndTheValue() throws Exception {
    assertError("/api/v1/models?limit=0", 400, "invalid_parameter",
        "limit must be a whole number from 1 to 1000, not '0'");
    assertError("/api/v1/models?limit=1001", 400, "invalid_parameter",
        "limit must be a whole number from 1 to 1000, not '1001'");
    assertError("/api/v1/models?limit=abc", 400, "invalid_parameter", "limit must be a whole number, not 'abc'");
    assertError("/api/v1/models?q=" + "x".repeat(201), 400, "invalid_parameter",
        "q must be at most 200 characters, not '" + "x".repeat(80) + "...'");

    assertThat(server.get("/api/v1/models?limit=1000").statusCode()).isEqualTo(200);
    assertThat(server.get("/api/v1/models?q=" + "x".repeat(200)).statusCode()).isEqualTo(200);
    assertThat(TestServer.json(server.get("/api/v1/models")).get("models").isArray()).isTrue();
  }

  @Test
  void theUploadPageAnswersABadSearchAsAnHtmlPage() throws Exception {
    HttpResponse<String> r = server.get("/?q=" + "x".repeat(201));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(r.body()).contains("data-error=\"invalid_parameter\"").contains("q must be at most 200 characters");
  }

  @Test
  void anIdThatCannotBeOneIsNotFound() throws Exception {
    assertError("/api/v1/jobs/abc", 404, "job_not_found", "A job id is a positive whole number.");
    assertError("/api/v1/jobs/0", 404, "job_not_found", "A job id is a positive whole number.");
    assertError("/api/v1/cells/-3", 404, "cell_not_found", "A cell id is a positive whole number.");
    assertError("/api/v1/cells/x/log", 404, "cell_not_found", "A cell id is a positive whole number.");
    assertError("/api/v1/engines/ABC", 404, "engine_not_found", "Engine ids are 64 lower-case hex digits.");
    assertError("/api/v1/jobs/99999", 404, "job_not_found",
        "No job has the id 99999; ids are returned by POST /api/v1/models/{id}/jobs.");
  }

  @Test
  void aBadLogOffsetIsA400AndAGoodOneReadsFromThere() throws Exception {
    String model = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", ReferenceRunTest.RELU)))
        .get("id").asText();
    HttpResponse<String> job = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models/" + model + "/jobs"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"reference\": true}")).build());
    assertThat(job.statusCode()).as(job.body()).isEqualTo(202);
    String log = TestServer.json(job).get("cells").get(0).get("logUrl").asText();

    assertError(log + "?offset=-1", 400, "invalid_parameter", "offset must be a whole number from 0, not '-1'");
    assertError(log + "?offset=1.5", 400, "invalid_parameter", "offset must be a whole number, not '1.5'");
    HttpResponse<String> fromZero = server.get(log + "?offset=0");
    assertThat(fromZero.statusCode()).isEqualTo(200);
    assertThat(fromZero.headers().firstValue("X-Log-Next-Offset")).isPresent();
  }
}
