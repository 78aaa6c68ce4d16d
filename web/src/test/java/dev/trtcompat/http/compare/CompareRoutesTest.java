package dev.trtcompat.http.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.testing.Csv;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compare routes on a real server (SQLite, real static check, real cost estimate): the page, JSON, CSV and
 * their agreement, labels from upload and edit, hostile names and labels as text, malformed queries, and the
 * measure-all job's interleaved cells.
 */
class CompareRoutesTest {

  static final String HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>";
  /** Without a slash: the upload keeps only the last path segment of a file name. */
  static final String HOSTILE_FILE = "<b onmouseover=alert(1)>&amp;<img src=x onerror=alert(2)>.onnx";

  @TempDir Path dir;
  private TestServer server;
  private final List<String> ids = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(dir);
    ids.add(upload("relu.onnx", TestModels.single("Relu").build().toByteArray(), "backbone=relu"));
    ids.add(upload("sigmoid.onnx", TestModels.single("Sigmoid").build().toByteArray(), null));
    ids.add(upload(HOSTILE_FILE, TestModels.hostile(HOSTILE), "=" + HOSTILE));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private String upload(String name, byte[] model, String label) throws Exception {
    Multipart m = new Multipart().file("model", name, model);
    if (label != null) {
      m.text("label", label);
    }
    HttpResponse<String> r = server.upload(m);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestServer.json(r).get("id").asText();
  }

  private String models() {
    return String.join(",", ids);
  }

  @Test
  void jsonHasARowPerModelWithLabelsCostAndPredictions() throws Exception {
    HttpResponse<String> r = server.get("/api/v1/compare?models=" + models() + "&trt=8.6,10.0&precision=fp32,fp16");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode j = TestServer.json(r);
    assertThat(j.get("columns")).hasSize(4);
    assertThat(j.get("columns").get(0).get("key").asText()).isEqualTo("8.6/fp32");
    assertThat(j.get("rows")).hasSize(3);
    JsonNode relu = j.get("rows").get(0);
    assertThat(relu.get("modelId").asText()).isEqualTo(ids.get(0));
    assertThat(relu.get("label").asText()).isEqualTo("backbone=relu");
    assertThat(relu.get("parameters").asLong()).isZero();
    assertThat(relu.get("flops").asLong()).isZero();
    assertThat(relu.get("cells").get(0).get("predicted").asText()).isIn("compatible", "warnings");
    assertThat(relu.get("cells").get(0).get("measured").isNull()).isTrue();
    assertThat(j.get("rows").get(1).get("label").isNull()).isTrue();
    assertThat(j.get("rows").get(2).get("fileName").asText()).isEqualTo(HOSTILE_FILE);
    assertThat(j.get("rows").get(2).get("label").asText()).isEqualTo("=" + HOSTILE);
    assertThat(j.get("flopsCounting").asText()).contains("not counted");
  }

  @Test
  void csvAgreesWithJsonAndNeutralisesFormulas() throws Exception {
    String q = "/compare?models=" + models() + "&trt=10.0&sort=model";
    JsonNode j = TestServer.json(server.get("/api/v1" + q.replace("/compare?", "/compare?")));
    HttpResponse<String> csv = server.get("/api/v1/compare.csv?" + q.substring(q.indexOf('?') + 1));
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    List<Map<String, String>> records = Csv.records(csv.body());
    assertThat(records).hasSize(3 * 4);
    for (int i = 0; i < 3; i++) {
      JsonNode row = j.get("rows").get(i);
      assertThat(records.get(i * 4).get("model_id")).isEqualTo(row.get("modelId").asText());
      assertThat(records.get(i * 4 + 1).get("predicted")).isEqualTo(row.get("cells").get(0).get("predicted").asText());
    }
    Map<String, String> hostile = records.stream().filter(r -> r.get("model_id").equals(ids.get(2))).findFirst()
        .orElseThrow();
    assertThat(hostile.get("label")).isEqualTo("'=" + HOSTILE);
  }

  @Test
  void pageShowsHostileNamesAndLabelsAsTextWithSortLinksAndExports() throws Exception {
    HttpResponse<String> r = server.get("/compare?models=" + models() + "&trt=10.0");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    Document doc = Jsoup.parse(r.body());
    assertThat(doc.select("script").eachAttr("src")).containsExactly("/assets/compare.js");
    assertThat(doc.select("img, [onerror]")).isEmpty();
    assertThat(doc.select("table#compare tbody tr[data-model-id]")).hasSize(3);
    assertThat(doc.select("table#compare tbody th a").eachText()).contains(HOSTILE_FILE);
    assertThat(doc.select("[onmouseover], b")).isEmpty();
    assertThat(doc.select("table#compare td.label").eachText()).contains("=" + HOSTILE, "backbone=relu");
    assertThat(doc.select("th[data-key=10.0/fp16] a.sort").attr("href")).contains("sort=10.0%2Ffp16");
    assertThat(doc.select("a#export-csv").attr("href")).startsWith("/api/v1/compare.csv?models=");
    assertThat(doc.select("form#compare-job-form input[name=models]").val()).isEqualTo(models());
    assertThat(doc.select("#compare-chart .chart-empty")).hasSize(1);
  }

  @Test
  void labelsAreEditableAndFilterTheComparison() throws Exception {
    HttpResponse<String> put = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models/" + ids.get(1) + "/label"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"label\": \"backbone=relu\"}")).build());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    JsonNode j = TestServer.json(server.get("/api/v1/compare?models=" + models() + "&label=backbone%3Drelu"));
    assertThat(j.get("rows")).extracting(n -> n.get("modelId").asText()).containsExactly(ids.get(0), ids.get(1));
    Document page = Jsoup.parse(server.get("/models/" + ids.get(1)).body());
    assertThat(page.select("#model-label").text()).isEqualTo("backbone=relu");
    HttpResponse<String> bad = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models/" + ids.get(1) + "/label"))
        .PUT(HttpRequest.BodyPublishers.ofString("{\"label\": \"a\\nb\"}")).build());
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText()).isEqualTo("invalid_label");
  }

  @Test
  void malformedQueriesAreClearErrors() throws Exception {
    assertError("/api/v1/compare?models=" + ids.get(0), 400, "model_count");
    assertError("/api/v1/compare?models=" + models() + ",nothex", 400, "invalid_model_id");
    assertError("/api/v1/compare?models=" + models() + "," + "f".repeat(64), 404, "model_not_found");
    assertError("/api/v1/compare?models=" + models() + "&sort=drop", 400, "invalid_sort");
    assertError("/api/v1/compare?models=" + models() + "&maxError=-1", 400, "invalid_max_error");
    assertError("/api/v1/compare?models=" + models() + "&precision=fp64", 400, "invalid_precision");
    assertThat(server.get("/compare?models=" + ids.get(0)).statusCode()).isEqualTo(400);
  }

  private void assertError(String url, int status, String error) throws Exception {
    HttpResponse<String> r = server.get(url);
    assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(status);
    assertThat(TestServer.json(r).get("error").asText()).isEqualTo(error);
  }

  @Test
  void measureAllSubmitsOneJobPerModelWithInterleavedCells() throws Exception {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/compare/jobs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"models\": [\"" + String.join("\",\"", ids)
            + "\"], \"versions\": [\"8.6\", \"10.0\"], \"precisions\": [\"fp16\"], \"reference\": false}"))
        .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode jobs = TestServer.json(r).get("jobs");
    assertThat(jobs).extracting(n -> n.get("modelId").asText()).containsExactlyElementsOf(ids);
    List<Cell> cells = new ArrayList<>();
    for (JsonNode n : jobs) {
      Job job = server.server().jobs().queue().requireJob(n.get("id").asLong());
      cells.addAll(job.cells());
    }
    // Cell ids (the claim order) alternate between the models' jobs.
    List<Long> jobOrder = cells.stream().sorted(Comparator.comparingLong(Cell::id)).map(Cell::jobId).toList();
    long a = jobs.get(0).get("id").asLong();
    long b = jobs.get(1).get("id").asLong();
    long c = jobs.get(2).get("id").asLong();
    assertThat(jobOrder).containsExactly(a, b, c, a, b, c);
  }
}
