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
 * Every JSON body refuses a field it does not know with a 400 naming the field and the accepted ones (issue 11,
 * defect 2: {@code {"releases": ["8.6"]}} made a job without TensorRT cells and answered 202).
 */
class JsonBodyTest {

  @TempDir Path data;
  TestServer server;
  String id;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
    id = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", ReferenceRunTest.RELU)))
        .get("id").asText();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return server.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  @Test
  void anUnknownFieldInAJobRequestIsRefusedNamingItAndTheKnownOnes() throws Exception {
    HttpResponse<String> r = post("/api/v1/models/" + id + "/jobs", "{\"releases\": [\"8.6\"]}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode error = TestServer.json(r);
    assertThat(error.get("error").asText()).isEqualTo("unknown_field");
    assertThat(error.get("detail").asText()).contains("'releases'").contains("versions").contains("precisions")
        .contains("shapes").contains("timeoutSeconds").contains("force").contains("reference").contains("accuracy");
    assertThat(TestServer.json(server.get("/api/v1/models/" + id + "/jobs")).get("jobs")).isEmpty();
  }

  @Test
  void anUnknownFieldInAReferenceRequestIsRefusedNamingItAndTheKnownOnes() throws Exception {
    HttpResponse<String> r = post("/api/v1/models/" + id + "/reference", "{\"repeats\": 5}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode error = TestServer.json(r);
    assertThat(error.get("error").asText()).isEqualTo("unknown_field");
    assertThat(error.get("detail").asText()).contains("'repeats'").contains("shapes").contains("runs").contains("warmup");
  }

  @Test
  void aKnownFieldOfTheWrongTypeIsABadRequestNamingTheField() throws Exception {
    HttpResponse<String> r = post("/api/v1/models/" + id + "/jobs", "{\"versions\": {\"a\": 1}}");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(TestServer.json(r).get("detail").asText()).contains("versions");
  }

  @Test
  void anEmptyBodyStillStartsADefaultJob() throws Exception {
    HttpResponse<String> r = post("/api/v1/models/" + id + "/jobs", "");

    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
  }
}
