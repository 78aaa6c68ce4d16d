package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.json.Json;
import dev.trtcompat.service.JobSettings;
import dev.trtcompat.testing.Chromium;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * The product end to end in a real Chromium: a libonnx-testdata model uploaded through the page's form with TensorRT
 * {@value #RELEASE} FP32 and FP16 ticked; the static matrix at once; the container cells filling in live (server-sent
 * events, no reload) as the real Docker engine runs the trtexec TEST DOUBLE image (it replays a recorded log and writes
 * a stand-in engine; it is not TensorRT), found under the catalog's tag for that release; a finding followed to its
 * node; the engine downloaded by the browser with the SHA-256 the page and the server state.
 */
@Tag("browser")
@Tag("docker")
class LiveMatrixBrowserTest {

  static final String RELEASE = "10.0";

  /** Registry prefix under which {@link ConversionTestSupport#testDoubleImageFor} tags the test double. */
  static final String TEST_DOUBLE_REGISTRY = "trt-compat-test-double";

  /**
   * 30 nodes, opset 17: TensorRT 8.4 and later accept it, the 7.x and 8.0-8.2 parsers get warnings on named
   * nodes (links into the graph), and ONNX Runtime runs it for the reference row.
   */
  static final Path MODEL = Path.of("/usr/share/libonnx-testdata/data/node/test_layer_normalization_4d_axis0_expanded/model.onnx");

  @RegisterExtension final Chromium chromium = new Chromium();

  private final String owner = "test-browser-" + UUID.randomUUID().toString().substring(0, 8);
  @TempDir Path data;
  @TempDir Path files;
  private TestServer server;

  @BeforeAll
  static void testDoubleImage() throws Exception {
    assertThat(ConversionTestSupport.testDoubleImageFor(RELEASE)).startsWith(TEST_DOUBLE_REGISTRY + "/tensorrt:");
  }

  @BeforeEach
  void start() throws Exception {
    // The test double replays its log, then stays running for 4 s: long enough for the page to show the cell
    // running and its log. One worker: the FP16 cell waits queued while the FP32 one runs.
    ConversionSettings conversion = ConversionSettings.defaults().withRegistryPrefix(TEST_DOUBLE_REGISTRY)
        .withGpus(GpuRequest.none()).withContainerEnv(Map.of("TRTEXEC_DOUBLE_SLEEP", "4"));
    JobSettings jobs = ConversionTestSupport.containerJobs(data, owner, 1, 10, Duration.ofSeconds(30), conversion);
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
  void tickedCellsFillInLiveAFindingLeadsToItsNodeAndTheDownloadedEngineHasTheStatedSha256() throws Exception {
    Path model = Files.copy(MODEL, files.resolve("layernorm.onnx"));
    String sha256 = sha256(Files.readAllBytes(model));
    var driver = chromium.driver();

    driver.get(url("/"));
    driver.findElement(By.id("model-input")).sendKeys(model.toString());
    tick(By.cssSelector("#upload-form input[name=trt][value='" + RELEASE + "']"));
    tick(By.cssSelector("#upload-form input[name=precision][value=fp32]"));
    tick(By.cssSelector("#upload-form input[name=precision][value=fp16]"));
    driver.findElement(By.id("upload-button")).click();
    chromium.await().until(ExpectedConditions.urlToBe(url("/models/" + sha256)));
    // A navigation would wipe this; it must still be there when the cells have finished.
    driver.executeScript("window.trtcompatSamePage = true;");

    // Static cells at once: every knowledge-base release has a row whose three cells carry a prediction.
    assertThat(driver.executeScript("return document.querySelector('section#compatibility table#matrix').getAttribute('data-model-id');"))
        .isEqualTo(sha256);
    JsonNode report = Json.mapper().readTree(get(url("/api/v1/models/" + sha256 + "/compatibility")).body());
    List<String> releases = new ArrayList<>();
    report.get("results").forEach(r -> releases.add(r.get("tensorrt").asText()));
    List<String> cells = matrixCells();
    assertThat(cells.stream().map(c -> c.substring(0, c.indexOf('/'))).distinct().toList()).containsExactlyElementsOf(releases);
    for (String trt : releases) {
      assertThat(cells.stream().filter(c -> c.startsWith(trt + "/")).map(c -> c.substring(c.indexOf('/') + 1, c.indexOf(' '))))
          .containsExactly("fp32", "fp16", "int8");
    }
    // The checker accepts the model from 8.4 on and has no verdict for the 7.x and early 8.x parsers; the ticked
    // cells are already waiting or running, the others were not asked for. An INT8 column of a model without Q/DQ
    // carries the placeholder-scales warning, so it predicts "warnings" where FP32 predicts "compatible".
    assertThat(cells).contains(RELEASE + "/int8 warnings none", "8.6/fp32 compatible none", "7.0/fp32 unknown none");
    assertThat(cells).anySatisfy(c -> assertThat(c).matches(java.util.regex.Pattern.quote(RELEASE) + "/fp16 compatible (queued|running)"));

    // The ticked cells fill in live: the page follows the job's events, it is never reloaded.
    chromium.await(Duration.ofSeconds(180)).until(d ->
        "succeeded".equals(attr(RELEASE, "fp32", "data-state")) && "succeeded".equals(attr(RELEASE, "fp16", "data-state")));
    assertThat(driver.executeScript("return window.trtcompatSamePage === true;")).as("no reload").isEqualTo(true);
    List<String> fp16 = chromium.cellStatesSeen().stream().filter(s -> s.startsWith(RELEASE + "/fp16=")).toList();
    assertThat(fp16).as("states the page showed for the FP16 cell, in order")
        .containsSubsequence(RELEASE + "/fp16=queued", RELEASE + "/fp16=running", RELEASE + "/fp16=succeeded");
    assertThat(chromium.longestCellLog()).as("characters of a running cell's log shown in the page").isPositive();
    assertThat(attr(RELEASE, "int8", "data-state")).isEqualTo("none");
    assertThat(attr(RELEASE, "fp32", "data-contradiction")).isNull();
    // The last events' re-render may still be swapping the matrix: read and act on it within waits.
    chromium.await().until(d -> cell(RELEASE, "fp32").findElement(By.cssSelector(".measured .figures")).getText().contains("ms"));

    // A finding, followed to its node in the graph listing.
    String target = chromium.await().until(d -> {
      WebElement findings = d.findElement(By.cssSelector("section#compatibility details.findings"));
      if (findings.getAttribute("open") == null) {
        findings.findElement(By.tagName("summary")).click();
      }
      WebElement link = findings.findElement(By.cssSelector("a.finding-node[href^='#node-']"));
      String href = link.getAttribute("href");
      link.click();
      return href.substring(href.indexOf('#') + 1);
    });
    chromium.await().until(d -> d.getCurrentUrl().endsWith("#" + target));
    WebElement node = driver.findElement(By.id(target));
    assertThat(node.isDisplayed()).isTrue();
    assertThat(driver.executeScript("return document.querySelector(':target') === arguments[0];", node)).isEqualTo(true);

    // The engine: the browser downloads it; its bytes hash to what the link and the server state.
    String stated = attr(RELEASE, "fp32", null);
    assertThat(stated).matches("[0-9a-f]{64}");
    String href = chromium.await().until(d -> cell(RELEASE, "fp32").findElement(By.cssSelector("a.engine-download")).getAttribute("href"));
    assertThat(href).isEqualTo(url("/api/v1/engines/" + stated));
    HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(href))
        .header("Cookie", cookies()).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.headers().firstValue("X-Engine-Sha256")).hasValue(stated);
    assertThat(fetched.headers().firstValue("Content-Disposition")).hasValueSatisfying(cd -> assertThat(cd).startsWith("attachment"));
    assertThat(sha256(fetched.body())).isEqualTo(stated);

    chromium.await().until(d -> {
      WebElement download = cell(RELEASE, "fp32").findElement(By.cssSelector("a.engine-download"));
      driver.executeScript("arguments[0].scrollIntoView({block: 'center'});", download);
      download.click();
      return true;
    });
    // The listing that showed one finished file is the one read: a second listing could catch Chromium mid-rename.
    Path saved = chromium.await(Duration.ofSeconds(60)).until(d -> {
      List<Path> files = downloaded();
      return files.size() == 1 ? files.get(0) : null;
    });
    assertThat(sha256(Files.readAllBytes(saved))).as("SHA-256 of " + saved.getFileName() + " as the browser saved it")
        .isEqualTo(stated);

    // What the page showed is what the API says: one job, the reference and exactly the two ticked cells.
    JsonNode job = awaitFinishedJob(sha256);
    List<String> jobCells = new ArrayList<>();
    job.get("cells").forEach(c -> jobCells.add(c.get("kind").asText() + " " + c.path("tensorrt").asText("-") + " "
        + c.path("precision").asText("-") + " " + c.get("state").asText()));
    assertThat(jobCells).containsExactlyInAnyOrder("onnxruntime_reference - - succeeded",
        "tensorrt " + RELEASE + " fp32 succeeded", "tensorrt " + RELEASE + " fp16 succeeded");

    assertThat(chromium.cspViolations()).as("CSP violations").isEmpty();
    assertThat(chromium.consoleErrors()).as("console errors").isEmpty();
  }

  private JsonNode awaitFinishedJob(String modelId) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    JsonNode jobs = null;
    while (System.nanoTime() < deadline) {
      jobs = Json.mapper().readTree(get(url("/api/v1/models/" + modelId + "/jobs")).body()).get("jobs");
      if (jobs.size() == 1 && "finished".equals(jobs.get(0).get("state").asText())) {
        return jobs.get(0);
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the model's job did not finish in 180 s: " + jobs);
  }

  private void tick(By box) {
    WebElement e = chromium.driver().findElement(box);
    if (!e.isSelected()) {
      e.click();
    }
    assertThat(e.isSelected()).isTrue();
  }

  /**
   * Every cell of the knowledge-base rows as {@code 8.6/fp32 PREDICTED STATE}, read in one script so the live
   * re-render cannot swap the table halfway through.
   */
  @SuppressWarnings("unchecked")
  private List<String> matrixCells() {
    return (List<String>) chromium.driver().executeScript(
        "return Array.prototype.map.call(document.querySelectorAll('table#matrix tr[data-trt][data-kb=true] td.cell'),"
            + " function (c) { return c.parentNode.getAttribute('data-trt') + '/' + c.getAttribute('data-precision') + ' '"
            + " + c.getAttribute('data-predicted') + ' ' + c.getAttribute('data-state'); });");
  }

  /**
   * One attribute of a cell, read in one script; with {@code attribute} null, the {@code data-sha256} of the
   * cell's engine link.
   */
  private String attr(String trt, String precision, String attribute) {
    String cell = "table#matrix tr[data-trt='" + trt + "'] td.cell[data-precision='" + precision + "']";
    return (String) chromium.driver().executeScript(attribute == null
        ? "var a = document.querySelector(arguments[0] + ' a.engine-download'); return a && a.getAttribute('data-sha256');"
        : "var c = document.querySelector(arguments[0]); return c && c.getAttribute(arguments[1]);", cell, attribute);
  }

  /** Looked up afresh each time: the live script replaces the matrix on every cell event. */
  private WebElement cell(String trt, String precision) {
    return chromium.driver().findElement(By.cssSelector(
        "table#matrix tr[data-trt='" + trt + "'] td.cell[data-precision='" + precision + "']"));
  }

  private String cookies() {
    return chromium.driver().manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
        .collect(Collectors.joining("; "));
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

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
