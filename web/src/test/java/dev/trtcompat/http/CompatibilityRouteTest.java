package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/models/{id}/compatibility} and the page's matrix, findings and graph sections. */
class CompatibilityRouteTest {

  static final Path NONZERO = Path.of("/usr/share/libonnx-testdata/data/node/test_nonzero_example/model.onnx");
  static final String IMG = "<img src=x onerror=alert(1)>";

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

  private String upload(Path file) throws Exception {
    HttpResponse<String> r = server.upload(new Multipart().file("model", file.getFileName().toString(), file));
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    return TestServer.json(r).get("id").asText();
  }

  private static JsonNode release(JsonNode report, String trt) {
    for (JsonNode r : report.get("results")) {
      if (r.get("tensorrt").asText().equals(trt)) {
        return r;
      }
    }
    throw new AssertionError("no result for TensorRT " + trt + " in " + report);
  }

  @Test
  void theRouteAnswersWhatTheCheckerSaysForTheSameFile() throws Exception {
    String id = upload(NONZERO);

    HttpResponse<String> r = server.get("/api/v1/models/" + id + "/compatibility");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    JsonNode served = TestServer.json(r);
    JsonNode direct = Json.mapper().readTree(
        Json.pretty().writeValueAsString(CompatibilityChecker.bundled().check(OnnxModelReader.read(NONZERO))));
    assertThat(served).isEqualTo(direct);
    // Concrete facts: the model is one NonZero node; TensorRT's parser gained NonZero in 8.5.
    assertThat(served.get("model").get("ops").get("NonZero").asInt()).isEqualTo(1);
    JsonNode trt84 = release(served, "8.4");
    assertThat(trt84.get("verdict").asText()).isEqualTo("incompatible");
    assertThat(trt84.get("errors").asInt()).isPositive();
    assertThat(trt84.get("findings")).anySatisfy(f -> {
      assertThat(f.get("severity").asText()).isEqualTo("error");
      assertThat(f.get("op").asText()).isEqualTo("NonZero");
      assertThat(f.get("nodeIndex").asInt()).isZero();
    });
    assertThat(release(served, "8.5").get("verdict").asText()).isIn("compatible", "compatible_with_warnings");
    assertThat(release(served, "10.0").get("verdict").asText()).isIn("compatible", "compatible_with_warnings");
    assertThat(served.get("opsetAdvice").get("oldestAcceptingRelease").asText()).isEqualTo("8.5");

    // A second request is served from the cache and says the same.
    assertThat(TestServer.json(server.get("/api/v1/models/" + id + "/compatibility"))).isEqualTo(served);
  }

  @Test
  void findingsArePagedPerReleaseWithTheirTotal() throws Exception {
    String id = upload(NONZERO);
    JsonNode all = TestServer.json(server.get("/api/v1/models/" + id + "/compatibility"));
    JsonNode full84 = release(all, "8.4").get("findings");
    int total = full84.size();
    assertThat(total).isPositive();

    JsonNode first = TestServer.json(server.get("/api/v1/models/" + id + "/compatibility?offset=0&limit=1"));
    assertThat(first.get("offset").asInt()).isZero();
    assertThat(first.get("limit").asInt()).isEqualTo(1);
    assertThat(release(first, "8.4").get("findingsTotal").asInt()).isEqualTo(total);
    assertThat(release(first, "8.4").get("findings")).containsExactly(full84.get(0));
    // Counts still cover every finding, not the page.
    assertThat(release(first, "8.4").get("errors")).isEqualTo(release(all, "8.4").get("errors"));

    JsonNode last = TestServer.json(server.get("/api/v1/models/" + id + "/compatibility?offset=" + (total - 1) + "&limit=5"));
    assertThat(release(last, "8.4").get("findings")).containsExactly(full84.get(total - 1));
    JsonNode past = TestServer.json(server.get("/api/v1/models/" + id + "/compatibility?offset=" + total));
    assertThat(release(past, "8.4").get("findings")).isEmpty();
    assertThat(release(past, "8.4").get("findingsTotal").asInt()).isEqualTo(total);
    assertThat(past.has("limit")).isFalse();

    HttpResponse<String> bad = server.get("/api/v1/models/" + id + "/compatibility?limit=-1");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText()).isEqualTo("bad_limit");
  }

  @Test
  void chosenReleasesOnlyAndUnknownIdsAreNotFound() throws Exception {
    String id = upload(NONZERO);

    JsonNode two = TestServer.json(server.get("/api/v1/models/" + id + "/compatibility?trt=8.4&trt=10.0"));
    List<String> releases = new ArrayList<>();
    two.get("results").forEach(r -> releases.add(r.get("tensorrt").asText()));
    assertThat(releases).containsExactly("8.4", "10.0");

    HttpResponse<String> missing = server.get("/api/v1/models/" + "0".repeat(64) + "/compatibility");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(TestServer.json(missing).get("error").asText()).isEqualTo("model_not_found");
    assertThat(server.get("/api/v1/models/not-an-id/compatibility").statusCode()).isEqualTo(404);
    HttpResponse<String> unknownRelease = server.get("/api/v1/models/" + id + "/compatibility?trt=10.99");
    assertThat(unknownRelease.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(unknownRelease).get("error").asText()).isEqualTo("unknown_tensorrt_release");
    assertThat(TestServer.json(unknownRelease).get("detail").asText())
        .contains("TensorRT 10.99 is not in the knowledge base; known releases: 7.0, 7.1").contains("11.3");
  }

  @Test
  void thePageShowsTheMatrixWithContainersAndLinksFindingsToNodeAnchors() throws Exception {
    String id = upload(NONZERO);

    String page = server.get("/models/" + id).body();

    assertThat(page)
        .contains("<section id=\"compatibility\"><h2>TensorRT compatibility</h2>")
        .contains("<section id=\"graph\"><h2>Graph</h2>")
        .contains("<tr data-trt=\"8.4\" data-kb=\"true\" id=\"trt-8-4\" class=\"release\"><th scope=\"row\">TensorRT 8.4</th>")
        .containsPattern("id=\"trt-8-4\"[^>]*>.*?<td class=\"cell\" data-precision=\"fp32\" data-predicted=\"incompatible\" data-state=\"none\"[^>]*>")
        .containsPattern("id=\"trt-8-6\"[^>]*>.*?<td class=\"mono\">tensorrt:[0-9.]+-py3</td>")
        .contains("<details class=\"findings\" id=\"findings-8-4\">")
        .contains("<a class=\"finding-node\" href=\"#node-0\">#0 ")
        .contains("<tr id=\"node-0\"><td class=\"num\">0</td><td class=\"mono\">NonZero</td>")
        .contains("ONNX Runtime CPU FP32 (reference)")
        .contains("<form method=\"post\" action=\"/models/" + id + "/reference\"")
        .contains("Oldest release accepting the model</dt><dd>TensorRT 8.5</dd>");
  }

  @Test
  void hostileNodeNamesAreEscapedInFindingsAndInTheGraph() throws Exception {
    NodeProto nonzero = NodeProto.newBuilder().setOpType("NonZero").setName(IMG).addInput("x").addOutput("y" + IMG).build();
    byte[] model = TestModels.model(GraphProto.newBuilder()
            .setName("g")
            .addInput(ModelBuilder.value("x", ElementType.FLOAT, 2, 2))
            .addOutput(ModelBuilder.value("y" + IMG, ElementType.INT64, 2, -1))
            .addNode(nonzero))
        .build()
        .toByteArray();
    String id = TestServer.json(server.uploadModel("hostile.onnx", model)).get("id").asText();

    String page = server.get("/models/" + id).body();

    assertThat(page).doesNotContain(IMG).doesNotContain("<img");
    assertThat(page)
        .contains("<a class=\"finding-node\" href=\"#node-0\">#0 &lt;img src=x onerror=alert(1)&gt;</a>")
        .contains("<td class=\"mono\">&lt;img src=x onerror=alert(1)&gt;</td>")
        .contains("<td class=\"mono\">y&lt;img src=x onerror=alert(1)&gt;</td>");
    JsonNode report = TestServer.json(server.get("/api/v1/models/" + id + "/compatibility"));
    assertThat(release(report, "8.4").get("findings")).anySatisfy(f -> assertThat(f.get("node").asText()).isEqualTo(IMG));
  }
}
