package dev.trtcompat.http.compare;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.json.Json;
import dev.trtcompat.service.JobSettings;
import dev.trtcompat.testing.Chromium;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.Csv;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Comparing models end to end in a real Chromium: three models uploaded (one with a hostile label), ticked on the
 * home page, compared; measured from the compare page with the trtexec TEST DOUBLE image (it replays a recorded log
 * and writes a stand-in engine; it is not TensorRT) on the real Docker engine; the cells fill in live without a
 * reload; sorted by latency; the CSV downloaded by the browser says what the JSON says.
 */
@Tag("browser")
@Tag("docker")
class CompareBrowserTest {

  static final String RELEASE = "10.0";
  static final String TEST_DOUBLE_REGISTRY = "trt-compat-test-double";
  static final String HOSTILE_LABEL = "<img src=x onerror=alert(1)>";
  static final List<Path> MODELS = List.of(
      Path.of("/usr/share/libonnx-testdata/data/node/test_relu/model.onnx"),
      Path.of("/usr/share/libonnx-testdata/data/node/test_sigmoid/model.onnx"),
      Path.of("/usr/share/libonnx-testdata/data/node/test_tanh/model.onnx"));

  @RegisterExtension final Chromium chromium = new Chromium();

  private final String owner = "test-browser-" + UUID.randomUUID().toString().substring(0, 8);
  @TempDir Path data;
  private TestServer server;

  @BeforeAll
  static void testDoubleImage() throws Exception {
    assertThat(ConversionTestSupport.testDoubleImageFor(RELEASE)).startsWith(TEST_DOUBLE_REGISTRY + "/tensorrt:");
  }

  @BeforeEach
  void start() throws Exception {
    ConversionSettings conversion = ConversionSettings.defaults().withRegistryPrefix(TEST_DOUBLE_REGISTRY)
        .withGpus(GpuRequest.none()).withContainerEnv(Map.of("TRTEXEC_DOUBLE_SLEEP", "1"));
    JobSettings jobs = ConversionTestSupport.containerJobs(data, owner, 2, 10, Duration.ofSeconds(30), conversion);
    server = new TestServer(new ServiceConfig("127.0.0.1", 0, data, 64L << 20, Duration.ofSeconds(5)), jobs);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!ConversionTestSupport.containersOf(owner).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(ConversionTestSupport.containersOf(owner)).as("containers left by the service").isEmpty();
  }

  private String url(String path) {
    return server.uri(path).toString();
  }

  @Test
  void threeModelsComparedMeasuredLiveSortedAndExported() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < MODELS.size(); i++) {
      Multipart m = new Multipart().file("model", "m" + i + "-" + MODELS.get(i).getParent().getFileName() + ".onnx",
          MODELS.get(i)).text("label", i == 2 ? HOSTILE_LABEL : "family=" + (i % 2));
      HttpResponse<String> r = HttpClient.newHttpClient().send(m.post(URI.create(url("/api/v1/models"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      ids.add(Json.mapper().readTree(r.body()).get("id").asText());
    }
    var driver = chromium.driver();

    // Pick the three on the home page and open the comparison.
    driver.get(url("/"));
    for (String id : ids) {
      driver.findElement(By.cssSelector("input.compare-pick[value='" + id + "']")).click();
    }
    driver.findElement(By.id("compare-button")).click();
    chromium.await().until(ExpectedConditions.urlContains("/compare?"));
    assertThat(driver.findElements(By.cssSelector("table#compare tbody tr[data-model-id]"))).hasSize(3);
    // The hostile label is text: no image element, the markup readable in its cell.
    assertThat(driver.findElements(By.cssSelector("main img"))).isEmpty();
    assertThat(driver.findElement(By.cssSelector("tr[data-model-id='" + ids.get(2) + "'] td.label")).getText())
        .isEqualTo(HOSTILE_LABEL);

    // Measure all three with the same cells: TensorRT 10.0, FP32 and FP16.
    WebElement form = driver.findElement(By.id("compare-job-form"));
    for (WebElement box : form.findElements(By.cssSelector("input[name=trt]:checked"))) {
      box.click();
    }
    form.findElement(By.cssSelector("input[name=trt][value='" + RELEASE + "']")).click();
    WebElement fp16 = form.findElement(By.cssSelector("input[name=precision][value=fp16]"));
    if (!fp16.isSelected()) {
      fp16.click();
    }
    driver.findElement(By.id("compare-job-submit")).click();
    chromium.await().until(d -> d.findElements(By.cssSelector("td.cell[data-column='" + RELEASE + "/fp16']")).size() == 3);
    driver.executeScript("window.trtcompatSamePage = true;");

    // The cells fill in live, with no reload.
    chromium.await(Duration.ofSeconds(240)).until(d -> states(RELEASE + "/fp32").equals(List.of("succeeded", "succeeded",
        "succeeded")) && states(RELEASE + "/fp16").equals(List.of("succeeded", "succeeded", "succeeded")));
    assertThat(driver.executeScript("return window.trtcompatSamePage === true;")).as("no reload").isEqualTo(true);

    // Sort by FP16 latency: a heading link, so the sorted view is a URL.
    driver.findElement(By.cssSelector("th[data-key='" + RELEASE + "/fp16'] a.sort")).click();
    chromium.await().until(ExpectedConditions.urlContains("sort=" + RELEASE + "%2Ffp16"));
    List<Double> medians = medians(RELEASE + "/fp16");
    assertThat(medians).hasSize(3).isSorted();

    // The CSV the browser downloads says what the JSON of the same view says.
    String query = driver.findElement(By.id("compare-body")).getAttribute("data-query");
    driver.findElement(By.id("export-csv")).click();
    chromium.await(Duration.ofSeconds(60)).until(d -> downloaded().size() == 1);
    List<Map<String, String>> csv = Csv.records(Files.readString(downloaded().get(0)));
    JsonNode json = Json.mapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(url("/api/v1/compare?" + query))).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
    int i = 0;
    for (JsonNode row : json.get("rows")) {
      assertThat(csv.get(i++).get("row")).isEqualTo("reference");
      for (JsonNode cell : row.get("cells")) {
        Map<String, String> rec = csv.get(i++);
        assertThat(rec.get("model_id")).isEqualTo(row.get("modelId").asText());
        assertThat(rec.get("tensorrt") + "/" + rec.get("precision")).isEqualTo(cell.get("column").asText());
        assertThat(rec.get("state")).isEqualTo(cell.get("measured").isNull() ? "none" : cell.get("measured").get("state").asText());
        if (!cell.get("measured").isNull() && cell.get("measured").get("medianLatencyMs").isNumber()) {
          assertThat(Double.parseDouble(rec.get("median_latency_ms")))
              .isEqualTo(cell.get("measured").get("medianLatencyMs").asDouble());
        }
      }
    }
    assertThat(i).isEqualTo(csv.size());
    assertThat(csv.stream().filter(r -> r.get("model_id").equals(ids.get(2))).map(r -> r.get("label")).distinct())
        .containsExactly(HOSTILE_LABEL);

    assertThat(chromium.cspViolations()).as("CSP violations").isEmpty();
    assertThat(chromium.consoleErrors()).as("console errors").isEmpty();
  }

  /** The data-state of a column's cells, top to bottom, read in one script (the live script swaps the table). */
  @SuppressWarnings("unchecked")
  private List<String> states(String column) {
    return (List<String>) chromium.driver().executeScript("return Array.prototype.map.call(document.querySelectorAll("
        + "\"table#compare td.cell[data-column='\" + arguments[0] + \"']\"), function (c) { return c.getAttribute('data-state'); });",
        column);
  }

  @SuppressWarnings("unchecked")
  private List<Double> medians(String column) {
    List<Object> raw = (List<Object>) chromium.driver().executeScript("return Array.prototype.map.call("
        + "document.querySelectorAll(\"table#compare td.cell[data-column='\" + arguments[0] + \"']\"),"
        + " function (c) { return c.getAttribute('data-median-ms'); });", column);
    return raw.stream().map(o -> o == null ? null : Double.valueOf(o.toString())).toList();
  }

  /** Finished downloads; none while Chrome still writes one ({@code .crdownload}). */
  private List<Path> downloaded() {
    try (Stream<Path> s = Files.list(chromium.downloads())) {
      List<Path> all = s.toList();
      return all.stream().anyMatch(p -> p.getFileName().toString().endsWith(".crdownload")) ? List.of() : all;
    } catch (IOException e) {
      return List.of();
    }
  }
}
