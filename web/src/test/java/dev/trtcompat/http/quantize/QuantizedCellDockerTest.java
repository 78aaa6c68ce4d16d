package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.http.WebServer;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.FileModelStore;
import dev.trtcompat.quantize.QuantizeTestModels;
import dev.trtcompat.service.JobSettings;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.Multipart;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The INT8 cells of a Q/DQ model made by the service, run through the real Docker engine with the local trtexec TEST
 * DOUBLE image (it replays a recorded log; it is not TensorRT): the command line is {@code --int8} for 8.6 and
 * {@code --stronglyTyped} without {@code --int8} for 10.3, and neither run is marked timing only. The replayed log is
 * a real TensorRT 8.2.5 {@code --int8} build of a Q/DQ MobileNetV2 (trt8.2-int8-qdq-qat-mobilenetv2-success.log): the
 * 8.6 cell reports its figures and the explicit-quantization line as evidence; a log without that line (a real FP32
 * build) makes the same cell carry a warning.
 */
@Tag("docker")
class QuantizedCellDockerTest {

  private final String owner = "test-quantize-" + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path dir;
  private FileModelStore store;
  private WebServer server;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (store != null) {
      store.close();
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return Json.mapper().readTree(r.body());
  }

  private JsonNode send(HttpRequest.Builder request, int status) throws Exception {
    HttpResponse<String> r =
        http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return Json.mapper().readTree(r.body());
  }

  /** Quantizes the residual test net on random samples, then runs its INT8 cells; returns the Q/DQ model's id. */
  private String qdqModel(String replayedLog) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("TRTEXEC_DOUBLE_LOG", replayedLog));
    store = FileModelStore.open(dir);
    JobSettings settings = new JobSettings(dir, null, 2, 100, 10, JobSettings.DEFAULT_ENGINE_QUOTA, "test-instance",
        Duration.ofSeconds(6), DockerSettings.fromEnvironment(System.getenv()),
        RunnerSettings.defaults(owner).withPull(false, Duration.ofSeconds(10)).withStopGrace(Duration.ofSeconds(1)),
        ConversionSettings.defaults().withImageOverride(ConversionTestSupport.testDoubleImage())
            .withGpus(GpuRequest.none()).withContainerEnv(env));
    server = WebServer.start(new ServiceConfig("127.0.0.1", 0, dir, 1L << 30, Duration.ofSeconds(5)), store,
        WebServer.summarySections(), settings);

    String source = send(new Multipart().file("model", "residual.onnx", QuantizeTestModels.residualNet())
        .post(uri("/api/v1/models")), 201).get("id").asText();
    send(new Multipart().text("synthetic", "4").post(uri("/api/v1/models/" + source + "/quantize")), 202);
    JsonNode q = await(() -> get("/api/v1/models/" + source + "/quantizations").get("quantizations").get(0));
    assertThat(q.get("state").asText()).as(q.toString()).isEqualTo("succeeded");
    return q.get("result").get("modelId").asText();
  }

  /** Runs INT8 cells of the model for the releases and returns each finished cell by release. */
  private Map<String, JsonNode> int8Cells(String model, String releases) throws Exception {
    long job = send(HttpRequest.newBuilder(uri("/api/v1/models/" + model + "/jobs"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"versions\": [" + releases + "], \"precisions\": [\"int8\"], \"reference\": false,"
                + " \"accuracy\": false}")),
        202).get("id").asLong();
    JsonNode finished = await(() -> {
      JsonNode j = get("/api/v1/jobs/" + job);
      return j.get("state").asText().equals("finished") ? j : null;
    });
    Map<String, JsonNode> byRelease = new HashMap<>();
    finished.get("cells").forEach(c -> byRelease.put(c.get("tensorrt").asText(), c));
    return byRelease;
  }

  private JsonNode int8MatrixCell(String model, String release) throws Exception {
    for (JsonNode row : get("/api/v1/models/" + model + "/matrix").get("rows")) {
      if (row.get("tensorrt").asText().equals(release)) {
        for (JsonNode cell : row.get("cells")) {
          if (cell.get("precision").asText().equals("int8")) {
            return cell;
          }
        }
      }
    }
    throw new AssertionError("no INT8 cell for " + release);
  }

  private Document page(String model) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/models/" + model)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return Jsoup.parse(r.body());
  }

  @Test
  void theQdqModelsInt8CellsUseItsScalesPerRelease() throws Exception {
    String qdq = qdqModel("trt8.2-int8-qdq-qat-mobilenetv2-success.log");
    Map<String, JsonNode> byRelease = int8Cells(qdq, "\"8.6\", \"10.3\"");
    JsonNode old = byRelease.get("8.6").get("result");
    JsonNode recent = byRelease.get("10.3").get("result");
    assertThat(byRelease.get("8.6").get("state").asText()).as(old.toString()).isEqualTo("succeeded");
    assertThat(texts(old.get("arguments"))).contains("--int8").doesNotContain("--stronglyTyped");
    assertThat(texts(recent.get("arguments"))).contains("--stronglyTyped").doesNotContain("--int8");
    assertThat(old.get("notes").toString()).doesNotContain("timing only");
    assertThat(recent.get("notes").toString()).doesNotContain("timing only");

    // The figures the replayed Q/DQ log states, and the line that shows TensorRT read the model's scales.
    JsonNode log = old.get("log");
    assertThat(log.get("tensorrtVersion").asText()).isEqualTo("8.2.5");
    assertThat(log.get("precision").asText()).isEqualTo("FP32+INT8");
    assertThat(log.get("buildTimeSeconds").asDouble()).isEqualTo(25.2523);
    assertThat(log.get("throughputQps").asDouble()).isEqualTo(324.544);
    assertThat(log.get("gpuComputeMs").get("mean").asDouble()).isEqualTo(1.61667);
    assertThat(log.get("explicitQuantizationLine").asText())
        .startsWith("Calibrator won't be used in explicit precision mode.");
    JsonNode evidence = old.get("qdqEvidence");
    assertThat(evidence.get("state").asText()).isEqualTo("shown");
    assertThat(evidence.get("logLine").asText()).isEqualTo(log.get("explicitQuantizationLine").asText());
    assertThat(texts(old.get("notes"))).contains(evidence.get("message").asText());

    // The double replays the same 8.2.5 log for 10.3 too, so only the 8.6 cell's evidence is a realistic case here.
    JsonNode cell86 = int8MatrixCell(qdq, "8.6");
    assertThat(cell86.get("measured").get("qdqEvidence").asText()).isEqualTo("shown");
    // Calibrated on random samples: the cell builds from the Q/DQ scales, but they are not called calibrated.
    JsonNode cell103 = int8MatrixCell(qdq, "10.3");
    assertThat(cell103.get("label").asText()).isEqualTo("INT8 (Q/DQ, scales from random data: timing only)");
    assertThat(cell103.get("measured").get("state").asText()).isEqualTo("succeeded");

    Element shown = page(qdq).selectFirst("td.cell[data-precision=int8] .qdq-evidence-shown");
    assertThat(shown).isNotNull();
    assertThat(shown.text()).isEqualTo("log: explicit quantization (scales from the model's Q/DQ nodes, not a calibrator)");
    assertThat(shown.attr("title")).isEqualTo(evidence.get("message").asText());
  }

  @Test
  void anInt8CellOfAQdqModelWhoseLogShowsNoExplicitQuantizationCarriesAWarning() throws Exception {
    // A real FP32 build log: it built an engine, but says nothing of Q/DQ layers.
    String qdq = qdqModel("trt10.16-fp32-success.log");
    Map<String, JsonNode> byRelease = int8Cells(qdq, "\"8.6\", \"10.3\"");
    JsonNode cell = byRelease.get("8.6");
    JsonNode result = cell.get("result");
    assertThat(cell.get("state").asText()).as(result.toString()).isEqualTo("succeeded");
    assertThat(result.get("log").get("explicitQuantizationLine").isNull()).isTrue();
    JsonNode evidence = result.get("qdqEvidence");
    assertThat(evidence.get("state").asText()).isEqualTo("missing");
    assertThat(evidence.get("message").asText()).startsWith("Warning: no sign in the log");
    assertThat(texts(result.get("notes"))).contains(evidence.get("message").asText());
    assertThat(int8MatrixCell(qdq, "8.6").get("measured").get("qdqEvidence").asText()).isEqualTo("missing");
    Document page = page(qdq);
    Element missing = page.selectFirst("td.cell[data-precision=int8] .qdq-evidence-missing");
    assertThat(missing).isNotNull();
    assertThat(missing.text()).isEqualTo("warning: the log shows no explicit quantization");

    // 10.3 builds strongly typed: no calibrator, so its log cannot show it either way, and that is no warning.
    JsonNode strong = byRelease.get("10.3").get("result");
    assertThat(texts(strong.get("arguments"))).contains("--stronglyTyped");
    assertThat(strong.get("qdqEvidence").get("state").asText()).isEqualTo("not_in_log");
    assertThat(strong.get("notes").toString()).doesNotContain("Warning: no sign in the log");
    assertThat(int8MatrixCell(qdq, "10.3").get("measured").get("qdqEvidence").asText()).isEqualTo("not_in_log");
    assertThat(page.select("td.cell[data-precision=int8] .qdq-evidence-not_in_log")).singleElement()
        .satisfies(e -> assertThat(e.text()).isEqualTo("strongly typed: the log cannot show the Q/DQ scales in use"));
  }

  private static java.util.List<String> texts(JsonNode array) {
    java.util.List<String> out = new java.util.ArrayList<>();
    array.forEach(a -> out.add(a.asText()));
    return out;
  }

  private interface Probe {
    JsonNode poll() throws Exception;
  }

  private static JsonNode await(Probe probe) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (true) {
      JsonNode n = probe.poll();
      if (n != null && !(n.has("state") && (n.get("state").asText().equals("queued")
          || n.get("state").asText().equals("running")))) {
        return n;
      }
      assertThat(System.nanoTime()).as("still waiting").isLessThan(deadline);
      Thread.sleep(250);
    }
  }
}
