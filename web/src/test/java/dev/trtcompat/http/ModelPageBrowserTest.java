package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.testing.Chromium;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The upload page and the model page in a real Chromium against the real service on 127.0.0.1: a libonnx-testdata
 * model goes through the page's form and script (progress bar, strict CSP), the static matrix shows one row per
 * TensorRT release, a finding's link takes the reader to its node in the graph listing, and hostile names from a
 * model stay text.
 */
@Tag("browser")
class ModelPageBrowserTest {

  /**
   * 16 nodes; every release refuses its last node (#15, QuantizeLinear with a computed scale), so the finding
   * links far down the graph listing.
   */
  static final Path MODEL = Path.of("/usr/share/libonnx-testdata/data/node/test_dynamicquantizelinear_expanded/model.onnx");

  static final int FAILING_NODE = 15;

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

  @Test
  void aModelUploadedThroughThePageShowsItsMatrixAndFindingsLeadToTheNode() throws Exception {
    Path model = Files.copy(MODEL, files.resolve("dynamicquantizelinear.onnx"));
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model)));
    var driver = chromium.driver();

    driver.get(server.uri("/").toString());
    driver.findElement(By.id("model-input")).sendKeys(model.toString());
    driver.findElement(By.id("upload-button")).click();
    chromium.await().until(ExpectedConditions.urlToBe(server.uri("/models/" + sha256).toString()));

    assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("dynamicquantizelinear.onnx");
    assertThat(driver.findElement(By.cssSelector("p.ids code")).getText()).isEqualTo(sha256);
    // The script sent it (XHR to the API, then navigation), not the no-script form post: the bar was shown
    // and filled to the file's size.
    List<Map<String, Object>> progress = chromium.progressHistory();
    assertThat(progress).as("upload progress bar changes").anySatisfy(p -> {
      assertThat(p.get("hidden")).isEqualTo(false);
      assertThat(((Number) p.get("max")).longValue()).isGreaterThanOrEqualTo(Files.size(model));
      assertThat(((Number) p.get("value")).longValue()).isEqualTo(((Number) p.get("max")).longValue());
    });

    // The static matrix: one row per release of the knowledge base, in the service's order; no release accepts
    // the model cleanly (7.x needs an initializer zero point; later releases warn about the run-time UINT8 zero
    // point), and every cell (FP32, FP16, INT8) shows its release's prediction; nothing measured.
    JsonNode report = TestServer.json(server.get("/api/v1/models/" + sha256 + "/compatibility"));
    List<String> releases = new ArrayList<>();
    Map<String, String> verdicts = new java.util.HashMap<>();
    report.get("results").forEach(r -> {
      assertThat(r.get("verdict").asText()).isIn("incompatible", "compatible_with_warnings", "unknown");
      releases.add(r.get("tensorrt").asText());
      verdicts.put(r.get("tensorrt").asText(), r.get("verdict").asText());
    });
    assertThat(verdicts.get("7.0")).isEqualTo("incompatible");
    assertThat(releases).hasSizeGreaterThanOrEqualTo(10);
    WebElement matrix = driver.findElement(By.cssSelector("section#compatibility table#matrix"));
    assertThat(matrix.getAttribute("data-model-id")).isEqualTo(sha256);
    List<String> rows = new ArrayList<>();
    for (WebElement row : matrix.findElements(By.cssSelector("tr[data-trt][data-kb=true]"))) {
      rows.add(row.getAttribute("data-trt"));
      String head = row.findElement(By.tagName("th")).getText();
      String derivedFrom = row.getAttribute("data-derived-from");
      // a derived release's row head also says where its rules come from
      assertThat(head).isEqualTo("TensorRT " + row.getAttribute("data-trt")
          + (derivedFrom == null || derivedFrom.isEmpty() ? "" : "\nderived from " + derivedFrom + " + changelog"));
      List<WebElement> cells = row.findElements(By.cssSelector("td.cell"));
      assertThat(cells).extracting(c -> c.getAttribute("data-precision")).containsExactly("fp32", "fp16", "int8");
      assertThat(cells).allSatisfy(c -> {
        assertThat(c.getAttribute("data-predicted")).isNotEqualTo("compatible");
        assertThat(c.getAttribute("data-state")).isEqualTo("none");
      });
      if (verdicts.get(row.getAttribute("data-trt")).equals("incompatible")) {
        assertThat(cells).allSatisfy(c -> assertThat(c.getAttribute("data-predicted")).isEqualTo("incompatible"));
      }
    }
    assertThat(rows).containsExactlyElementsOf(releases);
    assertThat(matrix.findElement(By.id("reference-row")).isDisplayed()).isTrue();

    // A finding sits in a closed <details>: open it, follow the link, land on the node's row.
    WebElement findings = driver.findElement(By.cssSelector("details.findings"));
    WebElement link = findings.findElement(By.cssSelector("a.finding-node[href='#node-" + FAILING_NODE + "']"));
    assertThat(link.isDisplayed()).isFalse();
    findings.findElement(By.tagName("summary")).click();
    chromium.await().until(ExpectedConditions.visibilityOf(link));
    link.click();

    chromium.await().until(d -> d.getCurrentUrl().endsWith("#node-" + FAILING_NODE));
    WebElement row = driver.findElement(By.id("node-" + FAILING_NODE));
    assertThat(row.isDisplayed()).isTrue();
    assertThat(driver.executeScript("return document.querySelector(':target') === arguments[0];", row)).isEqualTo(true);
    assertThat(driver.executeScript(
        "var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;", row))
        .as("the targeted graph row is scrolled into view").isEqualTo(true);
    assertThat(row.findElements(By.tagName("td")).get(1).getText()).isEqualTo("QuantizeLinear");

    assertThat(chromium.cspViolations()).as("CSP violations").isEmpty();
    assertThat(chromium.consoleErrors()).as("console errors").isEmpty();
  }

  @Test
  void hostileNamesFromTheModelAndTheFileNameStayTextInTheBrowser() throws Exception {
    // Markup that would run or fetch something if any page put it into the DOM as HTML: the CSP would block the
    // handler, but the probe would still see the violation, and the <img> would exist and request /x.
    String markup = "<img src=x onerror=\"document.title='pwned'\">";
    Path model = Files.write(files.resolve("<img src=x onerror=alert(3)>.onnx"), TestModels.hostile(markup));
    var driver = chromium.driver();

    driver.get(server.uri("/").toString());
    driver.findElement(By.id("model-input")).sendKeys(model.toString());
    driver.findElement(By.id("upload-button")).click();
    chromium.await().until(ExpectedConditions.urlMatches("/models/[0-9a-f]{64}$"));
    chromium.await().until(ExpectedConditions.presenceOfElementLocated(By.id("graph")));

    assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("<img src=x onerror=alert(3)>.onnx");
    assertThat(driver.findElement(By.id("metadata")).getText()).contains(markup).contains("\"><img src=x onerror=alert(2)>");
    assertThat(driver.findElement(By.id("graph")).getText()).contains(markup);
    assertThat(driver.findElements(By.tagName("img"))).as("img elements on the model page").isEmpty();
    assertThat(driver.getTitle()).doesNotContain("pwned");
    // Back on the upload page, the recent-models list shows the hostile file name as text too.
    driver.get(server.uri("/").toString());
    assertThat(driver.findElement(By.id("recent")).getText()).contains("<img src=x onerror=alert(3)>.onnx");
    assertThat(driver.findElements(By.tagName("img"))).as("img elements on the upload page").isEmpty();

    assertThat(chromium.cspViolations()).as("CSP violations").isEmpty();
    assertThat(chromium.consoleErrors()).as("console errors").isEmpty();
  }

  @Test
  void theCspProbeAndTheConsoleSeeAnInlineScriptThePageRefuses() throws Exception {
    // Without this, the empty lists asserted above could come from a probe that sees nothing.
    var driver = chromium.driver();
    driver.get(server.uri("/").toString());

    driver.executeScript("var s = document.createElement('script'); s.textContent = 'window.ran = true;';"
        + " document.body.appendChild(s);");

    chromium.await().until(d -> !chromium.cspViolations().isEmpty());
    assertThat(chromium.cspViolations()).singleElement().asString().startsWith("script-src").contains("inline");
    assertThat(driver.executeScript("return window.ran === true;")).isEqualTo(false);
    assertThat(chromium.consoleErrors()).anySatisfy(m -> assertThat(m).contains("Content Security Policy"));
  }
}
