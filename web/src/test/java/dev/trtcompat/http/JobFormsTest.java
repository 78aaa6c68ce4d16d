package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.ReleaseRules;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job choices on the upload and model pages, the recent-models search and the delete form. */
class JobFormsTest {

  private static final Path ABS = Path.of("/usr/share/libonnx-testdata/data/node/test_abs/model.onnx");
  private static final Path RELU = Path.of("/usr/share/libonnx-testdata/data/node/test_relu/model.onnx");

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

  @Test
  void theUploadFormOffersEveryCatalogReleaseThePrecisionsAndTheReference() throws Exception {
    Document page = Jsoup.parse(server.get("/").body());
    assertThat(page.select("form#upload-form input[name=trt]").eachAttr("value"))
        .containsExactlyElementsOf(TensorRtImageCatalog.builtIn().releases());
    assertThat(page.select("form#upload-form input[name=trt][checked]")).isEmpty();
    // every knowledge-base release is listed; one without a known container tag is shown, disabled, with why
    List<String> shown = page.select("form#upload-form .releases label").eachText();
    for (ReleaseRules r : KnowledgeBase.bundled().releases()) {
      assertThat(shown).as("TensorRT %s in the form", r.release())
          .anyMatch(t -> t.equals(r.release()) || t.equals(r.release() + " (no known container)"));
    }
    assertThat(page.select("form#upload-form label.unavailable[title] input[disabled]:not([name])")).isNotEmpty();
    assertThat(page.select("form#upload-form input[name=precision]").eachAttr("value")).containsExactly("fp32", "fp16", "int8");
    assertThat(page.select("form#upload-form input[name=precision][checked]").eachAttr("value")).containsExactly("fp32");
    assertThat(page.select("form#upload-form input[name=reference]").eachAttr("value")).containsExactly("off", "on");
    assertThat(page.select("form#upload-form input[name=shapes]")).hasSize(1);
    assertThat(page.select("form#upload-form input[name=timeout]").attr("value")).isEqualTo("1800");
  }

  @Test
  void recentModelsAreSearchableByNameAndSha() throws Exception {
    String abs = TestServer.json(server.uploadModel("resnet-abs.onnx", Files.readAllBytes(ABS))).get("id").asText();
    String relu = TestServer.json(server.uploadModel("relu-block.onnx", Files.readAllBytes(RELU))).get("id").asText();

    JsonNode byName = TestServer.json(server.get("/api/v1/models?q=ABS"));
    assertThat(byName.get("models")).hasSize(1);
    assertThat(byName.get("models").get(0).get("id").asText()).isEqualTo(abs);
    JsonNode bySha = TestServer.json(server.get("/api/v1/models?q=" + relu.substring(0, 10)));
    assertThat(bySha.get("models")).hasSize(1);
    assertThat(bySha.get("models").get(0).get("fileName").asText()).isEqualTo("relu-block.onnx");
    assertThat(TestServer.json(server.get("/api/v1/models?q=nothing-like-this")).get("models")).isEmpty();

    Document page = Jsoup.parse(server.get("/?q=relu").body());
    assertThat(page.select("form#search-form input[name=q]").attr("value")).isEqualTo("relu");
    assertThat(page.select("#recent tbody tr")).hasSize(1);
    assertThat(page.select("#recent tbody a").attr("href")).isEqualTo("/models/" + relu);
    assertThat(Jsoup.parse(server.get("/?q=zzz").body()).select("#recent").text()).contains("No model matches");
  }

  @Test
  void theModelPageHasTheJobFormOutsideTheLiveMatrixAndDeleteRemovesTheModel() throws Exception {
    String id = TestServer.json(server.uploadModel("abs.onnx", Files.readAllBytes(ABS))).get("id").asText();
    HttpResponse<String> first = server.get("/models/" + id);
    // Nothing changed in between: the second view is the cached render (and identical).
    HttpResponse<String> second = server.get("/models/" + id);
    assertThat(first.headers().firstValue("X-Render-Cache")).hasValue("miss");
    assertThat(second.headers().firstValue("X-Render-Cache")).hasValue("hit");
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.headers().firstValue("Content-Security-Policy")).isEqualTo(first.headers().firstValue("Content-Security-Policy"));
    assertThat(server.get("/api/v1/models/" + id + "/matrix").headers().firstValue("X-Render-Cache")).hasValue("miss");
    assertThat(server.get("/api/v1/models/" + id + "/matrix").headers().firstValue("X-Render-Cache")).hasValue("hit");
    Document page = Jsoup.parse(first.body());
    assertThat(page.select("section#measure form#job-form").attr("action")).isEqualTo("/models/" + id + "/jobs");
    assertThat(page.select("section#measure input[name=trt]")).isNotEmpty();
    // Live re-rendering replaces the matrix section's content; the form must not be inside it.
    assertThat(page.select("section#compatibility form#job-form")).isEmpty();

    String origin = "http://127.0.0.1:" + server.server().port();
    HttpResponse<String> deleted = server.send(HttpRequest.newBuilder(server.uri("/models/" + id + "/delete"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", origin)
        .POST(HttpRequest.BodyPublishers.ofString("")).build());
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(303);
    assertThat(deleted.headers().firstValue("Location")).hasValue("/");
    assertThat(server.get("/models/" + id).statusCode()).isEqualTo(404);
    assertThat(data.resolve("models").resolve(id)).doesNotExist();
  }
}
