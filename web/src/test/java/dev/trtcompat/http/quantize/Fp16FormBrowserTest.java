package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.quantize.QuantizeTestModels;
import dev.trtcompat.testing.Chromium;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The model page's "Convert to FP16" form in a real Chromium: calibration files chosen in the form go up with it
 * (multipart), the conversion runs, the page's list shows it finished (live, without a reload) with the node kept
 * in FP32 and the accuracy, and the FP16 model's page names its source.
 */
@Tag("browser")
class Fp16FormBrowserTest {

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
  void calibrationFilesChosenInTheFormAreWhatTheFp16ConversionIsMeasuredOn() throws Exception {
    HttpResponse<String> up = server.uploadModel("residual.onnx", QuantizeTestModels.residualNet());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    String source = TestServer.json(up).get("id").asText();
    List<String> chosen = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Path f = files.resolve("sample" + i + ".npz");
      Files.write(f, QuantizeTestModels.npz(files, "x", i + 1, 1, 4, 8, 8));
      chosen.add(f.toString());
    }

    var driver = chromium.driver();
    driver.get(server.uri("/models/" + source).toString());
    driver.findElement(By.cssSelector("form#fp16-form input[type=file][name=calib]"))
        .sendKeys(String.join("\n", chosen));
    driver.findElement(By.cssSelector("form#fp16-form input[name=exclude]")).sendKeys("Gemm");
    driver.findElement(By.id("fp16-submit")).click();
    chromium.await().until(ExpectedConditions.urlContains("#fp16"));

    // No reload: the list re-renders as the cell changes (model.js follows the model's events and swaps
    // div#fp16-body), unless the conversion was done before the page came back.
    String done = "#fp16-body li.fp16-conversion[data-state=succeeded]";
    chromium.await(Duration.ofSeconds(180)).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(done)));
    var item = driver.findElement(By.cssSelector(done));
    assertThat(item.findElement(By.cssSelector("p")).getText())
        .contains("(statistics from 5 uploaded file(s): sample0.npz ... sample4.npz)");
    assertThat(item.findElement(By.cssSelector("table.kept-fp32 tr[data-node=fc] td.reason")).getText())
        .contains("named by the user");
    assertThat(item.findElement(By.cssSelector("table.accuracy tr[data-output=y] td.cosine-min")).getText())
        .matches("0\\.999\\d+|1\\.0+");

    item.findElement(By.cssSelector("a.fp16-model")).click();
    chromium.await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".fp16-from a.source-model")));
    assertThat(driver.findElement(By.cssSelector(".fp16-from a.source-model")).getAttribute("href"))
        .endsWith("/models/" + source);
    assertThat(chromium.consoleErrors()).isEmpty();
  }
}
