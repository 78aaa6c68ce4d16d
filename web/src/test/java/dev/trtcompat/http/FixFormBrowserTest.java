package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import dev.trtcompat.testing.Chromium;
import dev.trtcompat.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
 * The model page's "Make it convert" form in a real Chromium: a file chosen for the proof goes up with the form
 * (multipart), the fix runs on it, and the fixed model's page says it was proved on the user's inputs.
 */
@Tag("browser")
class FixFormBrowserTest {

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
  void aProofInputChosenInTheFormIsWhatTheFixIsProvedOn() throws Exception {
    // y = table[idx]: seeded random indices (0..3) run off the 2-row table, the chosen ones (0, 1) do not.
    ModelBuilder b = ModelBuilder.model().opset("", 13);
    b.graph().input("idx", ElementType.INT64, 4)
        .initializer(ModelBuilder.floats("table", new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .node("Gather", List.of("table", "idx"), List.of("y"))
        .output("y", ElementType.FLOAT, 4, 3);
    HttpResponse<String> up = server.uploadModel("gather.onnx", b.build().toByteArray());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    String source = TestServer.json(up).get("id").asText();
    Path idx = files.resolve("idx.npy");
    NpyFormat.write(idx, HostTensor.ofLongs("idx", new long[] {4}, 0, 1, 1, 0));

    var driver = chromium.driver();
    driver.get(server.uri("/models/" + source).toString());
    driver.findElement(By.cssSelector("form#fix-form input[name=trt][value='8.6']")).click();
    driver.findElement(By.cssSelector("form#fix-form input[type=file][name=inputs]")).sendKeys(idx.toString());
    driver.findElement(By.id("fix-submit")).click();
    chromium.await().until(ExpectedConditions.urlContains("#fix"));

    String fixed = null;
    for (int i = 0; i < 600 && fixed == null; i++) {
      JsonNode jobs = TestServer.json(server.get("/api/v1/models/" + source + "/jobs")).get("jobs");
      assertThat(jobs).hasSize(1);
      JsonNode cell = TestServer.json(server.get("/api/v1/jobs/" + jobs.get(0).get("id").asLong())).get("cells").get(0);
      if (cell.get("state").asText().equals("succeeded")) {
        assertThat(cell.get("result").get("proven").asBoolean()).as(cell.toString()).isTrue();
        fixed = cell.get("result").get("fixedModelId").asText();
      } else {
        assertThat(cell.get("state").asText()).as(cell.toString()).isIn("queued", "running");
        Thread.sleep(200);
      }
    }
    assertThat(fixed).isNotNull();
    driver.get(server.uri("/models/" + fixed).toString());
    assertThat(driver.findElement(By.id("fix-proof")).getText()).contains("Proved on your inputs");
    assertThat(driver.findElement(By.id("fix-proof-inputs")).getText()).contains("your inputs (idx.npy)");
    assertThat(chromium.consoleErrors()).isEmpty();
  }
}
