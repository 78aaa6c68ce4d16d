package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With two jobs on one model, the matrix shows the newer one and the job list runs oldest first (issue 11,
 * defect 1: the matrix showed the oldest job). Reference-only jobs, so no Docker is needed.
 */
class LatestJobTest {

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

  private long startJob(String modelId, String body) throws Exception {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models/" + modelId + "/jobs"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return TestServer.json(r).get("id").asLong();
  }

  @Test
  void theMatrixShowsTheLatestJobAndTheListIsOldestFirst() throws Exception {
    String id = TestServer.json(server.upload(new Multipart().file("model", "relu.onnx", ReferenceRunTest.RELU)))
        .get("id").asText();
    long first = startJob(id, "{\"reference\": true}");
    long second = startJob(id, "{\"reference\": true, \"timeoutSeconds\": 600}");
    assertThat(second).isGreaterThan(first);

    JsonNode matrix = TestServer.json(server.get("/api/v1/models/" + id + "/matrix"));
    assertThat(matrix.get("jobId").asLong()).isEqualTo(second);

    List<Long> listed = new ArrayList<>();
    TestServer.json(server.get("/api/v1/models/" + id + "/jobs")).get("jobs").forEach(j -> listed.add(j.get("id").asLong()));
    assertThat(listed).containsExactly(first, second);
  }
}
