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
import dev.trtcompat.service.JobSettings;
import dev.trtcompat.testing.Chromium;
import dev.trtcompat.testing.ConversionTestSupport;
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
 * Builds started from the upload page in a real Chromium: a libonnx-testdata model uploaded through the page's form
 * with TensorRT {@value #RELEASE} FP32 and FP16 ticked becomes one job whose cells the real Docker engine runs with
 * the trtexec TEST DOUBLE image (it replays a recorded log and writes a stand-in engine; it is not TensorRT), found
 * under the catalog's tag for that release; the engine, fetched as the browser's session, has the SHA-256 the server
 * states.
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
  private FileModelStore store;
  private WebServer server;

  @BeforeAll
  static void testDoubleImage() throws Exception {
    assertThat(ConversionTestSupport.testDoubleImageFor(RELEASE)).startsWith(TEST_DOUBLE_REGISTRY + "/tensorrt:");
  }

  @BeforeEach
  void start() throws Exception {
    store = FileModelStore.open(data);
    // The test double replays its log, then stays running for 4 s: long enough for the page to show the cell
    // running and its log. One worker: the FP16 cell waits queued while the FP32 one runs.
    ConversionSettings conversion = ConversionSettings.defaults().withRegistryPrefix(TEST_DOUBLE_REGISTRY)
        .withGpus(GpuRequest.none()).withContainerEnv(Map.of("TRTEXEC_DOUBLE_SLEEP", "4"));
    JobSettings jobs = new JobSettings(data, null, 1, 100, 10, JobSettings.DEFAULT_ENGINE_QUOTA, "browser-test",
        Duration.ofSeconds(30), DockerSettings.fromEnvironment(System.getenv()),
        RunnerSettings.defaults(owner).withPull(false, Duration.ofSeconds(10)).withStopGrace(Duration.ofSeconds(1)),
        conversion);
    server = WebServer.start(new ServiceConfig("127.0.0.1", 0, data, 64L << 20, Duration.ofSeconds(5)), store,
        WebServer.summarySections(), jobs);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!ConversionTestSupport.containersOf(owner).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    assertThat(ConversionTestSupport.containersOf(owner)).as("containers left by the service").isEmpty();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  @Test
  void releaseAndPrecisionsTickedInTheUploadFormBecomeAJobWhoseEngineDownloadsIntact() throws Exception {
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

    // The form's script sent the ticked boxes: one job, the reference and exactly the two ticked cells.
    JsonNode job = awaitFinishedJob(sha256);
    List<String> cells = new ArrayList<>();
    job.get("cells").forEach(c -> cells.add(c.get("kind").asText() + " " + c.path("tensorrt").asText("-") + " "
        + c.path("precision").asText("-") + " " + c.get("state").asText()));
    assertThat(cells).containsExactlyInAnyOrder("onnxruntime_reference - - succeeded",
        "tensorrt " + RELEASE + " fp32 succeeded", "tensorrt " + RELEASE + " fp16 succeeded");

    // The engine, fetched as this browser session: the bytes hash to what the header and the job say.
    String engineUrl = null;
    String stated = null;
    for (JsonNode c : job.get("cells")) {
      if ("fp32".equals(c.path("precision").asText())) {
        engineUrl = c.get("engineUrl").asText();
        stated = c.get("result").get("engine").get("sha256").asText();
      }
    }
    assertThat(engineUrl).isEqualTo("/api/v1/engines/" + stated);
    HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url(engineUrl)))
        .header("Cookie", cookies()).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(fetched.headers().firstValue("X-Engine-Sha256")).hasValue(stated);
    assertThat(sha256(fetched.body())).isEqualTo(stated);

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
