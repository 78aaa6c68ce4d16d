package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.Chromium;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The upload page's chunked path and the model page's placeholders in a real Chromium against the real service:
 * an upload above the page's chunk threshold goes through the resumable API a chunk at a time (the threshold
 * lowered on the form, as upload.js reads it when the form is sent), and a large model's page answers with
 * "analysing" sections that model.js fills in, without reloading, once the analysis is done.
 */
@Tag("browser")
class PageFirstBrowserTest {

  /** Records each XHR's method and path in sessionStorage, which survives the navigation to the model page. */
  static final String RECORD_REQUESTS = """
      var open = XMLHttpRequest.prototype.open;
      XMLHttpRequest.prototype.open = function (method, url) {
        var list = JSON.parse(sessionStorage.getItem("pf.requests") || "[]");
        list.push(method + " " + new URL(url, location.href).pathname);
        sessionStorage.setItem("pf.requests", JSON.stringify(list));
        return open.apply(this, arguments);
      };
      """;

  @RegisterExtension final Chromium chromium = new Chromium();

  @TempDir Path data;
  @TempDir Path files;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void anUploadAboveTheChunkThresholdGoesThroughTheResumableApiAChunkAtATime() throws Exception {
    int floats = 64 * 1024; // 256 KiB of weights: 4 chunks of 64 KiB
    byte[] model = TestModels.withExternalWeights("weights.bin", floats);
    byte[] weights = new byte[4 * floats];
    new Random(15).nextBytes(weights);
    Path modelFile = Files.write(files.resolve("ext.onnx"), model);
    Path weightsFile = Files.write(files.resolve("weights.bin"), weights);
    var driver = chromium.driver();

    driver.get(server.uri("/").toString());
    driver.executeScript("var f = document.getElementById('upload-form');"
        + "f.setAttribute('data-chunked-from', '1024'); f.setAttribute('data-chunk', '65536');" + RECORD_REQUESTS);
    driver.findElement(By.id("model-input")).sendKeys(modelFile.toString());
    driver.findElement(By.id("external-input")).sendKeys(weightsFile.toString());
    driver.findElement(By.id("upload-button")).click();
    // With external files the id hashes the whole set (a manifest); the page shows the model file's own SHA-256.
    chromium.await().until(ExpectedConditions.urlMatches("/models/[0-9a-f]{64}$"));

    @SuppressWarnings("unchecked")
    List<String> requests = (List<String>) driver.executeScript(
        "return JSON.parse(sessionStorage.getItem('pf.requests') || '[]');");
    assertThat(requests).first().isEqualTo("POST /api/v1/uploads");
    assertThat(requests).noneMatch(r -> r.equals("POST /api/v1/models"));
    assertThat(requests).filteredOn(r -> r.startsWith("PUT ") && r.endsWith("/files/weights.bin")).hasSize(4);
    assertThat(requests).filteredOn(r -> r.startsWith("PUT ") && r.endsWith("/files/ext.onnx")).hasSize(1);
    assertThat(requests).last().matches(r -> r.startsWith("POST /api/v1/uploads/") && r.endsWith("/complete"));

    // The stored files are the ones sent, byte for byte; the bar ended full.
    assertThat(driver.findElement(By.cssSelector("p.ids code")).getText()).isEqualTo(sha256(model));
    assertThat(driver.findElement(By.cssSelector("section#weights")).getText())
        .contains("weights.bin").contains(sha256(weights));
    List<Map<String, Object>> progress = chromium.progressHistory();
    assertThat(progress).anySatisfy(p -> {
      assertThat(((Number) p.get("max")).longValue()).isEqualTo(model.length + weights.length);
      assertThat(((Number) p.get("value")).longValue()).isEqualTo(model.length + weights.length);
    });
    assertThat(chromium.cspViolations()).isEmpty();
  }

  @Test
  void aLargeModelsPageShowsPlaceholdersThenFillsThemInWithoutReloading() throws Exception {
    String id = TestServer.json(server.uploadModel("chain.onnx", AnalysingPageTest.chain(AnalysingPageTest.NODES)))
        .get("id").asText();
    var driver = chromium.driver();

    driver.get(server.uri("/models/" + id).toString());
    // Read in one script, so that the fill-in cannot land between two reads.
    @SuppressWarnings("unchecked")
    Map<String, Object> first = (Map<String, Object>) driver.executeScript("""
        window.pfSamePage = true; // gone if the page reloads instead of filling in
        var verdict = document.querySelector("section#verdict p.analysing");
        return {analysing: Array.from(document.querySelectorAll("section[data-analysing]")).map(s => s.id),
            verdict: verdict ? verdict.textContent : null, accepts: document.querySelectorAll("#verdict-accepts").length};
        """);
    assertThat(first.get("analysing")).isEqualTo(List.of("verdict", "compatibility", "graph"));
    assertThat((String) first.get("verdict")).startsWith("Analysing the model (" + AnalysingPageTest.NODES + " nodes)");
    assertThat(((Number) first.get("accepts")).intValue()).isZero();

    chromium.await(Duration.ofMinutes(3))
        .until(d -> d.findElements(By.cssSelector("section[data-analysing]")).isEmpty());
    assertThat(driver.executeScript("return window.pfSamePage === true;")).isEqualTo(true);
    assertThat(driver.findElement(By.id("verdict-accepts")).getText()).startsWith("Expected to convert with TensorRT");
    assertThat(driver.findElements(By.cssSelector("table#matrix tr[data-trt]"))).isNotEmpty();
    assertThat(driver.findElement(By.cssSelector("details#graph-nodes summary")).getAttribute("textContent"))
        .startsWith(AnalysingPageTest.NODES + " nodes of the main graph");
    assertThat(chromium.cspViolations()).isEmpty();
  }
}
