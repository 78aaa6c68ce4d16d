package dev.trtcompat.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real service process killed with SIGKILL while a container runs a cell, then started again on the same
 * data folder: the job is still there, the cell is marked interrupted, its orphaned container is removed and it
 * runs again to the end. The containers are the trtexec TEST DOUBLE (replayed logs, not TensorRT).
 */
@Tag("docker")
@Tag("process")
class ServiceKillNineTest {

  private static final String RELEASE = "10.0";

  @Test
  void aKilledServiceLosesNothingAndCleansUpItsOrphanedContainer(@TempDir Path dir) throws Exception {
    ConversionTestSupport.testDoubleImageFor(RELEASE);
    String owner = "test-kill9-" + UUID.randomUUID().toString().substring(0, 8);
    Path data = dir.resolve("data");
    Map<String, String> slow = Map.of("TRT_COMPAT_REGISTRY", "trt-compat-test-double", "TRT_COMPAT_GPUS", "none",
        "TRT_COMPAT_CONTAINER_OWNER", owner,
        "TRT_COMPAT_CONTAINER_ENV", "TRTEXEC_DOUBLE_LOG=trt10.16-fp32-success.log,TRTEXEC_DOUBLE_SLEEP=120");
    long jobId;
    long cellId;
    String model;
    try (ServiceProcess first = ServiceProcess.start(dir, data, slow, "first.log")) {
      JsonNode up = Json.mapper().readTree(first.send(new Multipart()
          .file("model", "abs.onnx", Files.readAllBytes(ConversionTestSupport.ABS_MODEL))
          .text("trt", RELEASE).text("precision", "fp32").text("reference", "off")
          .post(first.uri("/api/v1/models")).build()).body());
      model = up.get("id").asText();
      jobId = up.get("jobId").asLong();
      JsonNode job = Json.mapper().readTree(first.get("/api/v1/jobs/" + jobId).body());
      cellId = job.get("cells").get(0).get("id").asLong();
      awaitContainers(owner, 1);
      assertThat(state(first, jobId)).isEqualTo("running");
      first.kill9();
    }
    // The container outlived its service.
    List<String> orphans = ConversionTestSupport.containersOf(owner);
    assertThat(orphans).hasSize(1);

    Map<String, String> fast = Map.of("TRT_COMPAT_REGISTRY", "trt-compat-test-double", "TRT_COMPAT_GPUS", "none",
        "TRT_COMPAT_CONTAINER_OWNER", owner, "TRT_COMPAT_CONTAINER_ENV", "TRTEXEC_DOUBLE_LOG=trt10.16-fp32-success.log");
    try (ServiceProcess second = ServiceProcess.start(dir, data, fast, "second.log")) {
      JsonNode job = second.awaitJobFinished(jobId, Duration.ofSeconds(120));
      JsonNode cell = job.get("cells").get(0);
      assertThat(cell.get("id").asLong()).isEqualTo(cellId);
      assertThat(cell.get("state").asText()).as(cell.toString()).isEqualTo("succeeded");
      assertThat(cell.get("attempts").asInt()).isEqualTo(2);
      assertThat(cell.get("result").get("outcome").asText()).isEqualTo("success");
      assertThat(second.log()).contains("cell " + cellId + " was interrupted");
      // The orphan of attempt 1 is gone; the re-run's container was removed after it ended.
      assertThat(ConversionTestSupport.containersOf(owner)).doesNotContainAnyElementsOf(orphans);
      assertThat(Json.mapper().readTree(second.get("/api/v1/models/" + model + "/jobs").body()).get("jobs")).hasSize(1);
      assertThat(Files.list(data.resolve("logs").resolve("job-" + jobId)).map(p -> p.getFileName().toString()))
          .contains("cell-" + cellId + "-attempt-1.log", "cell-" + cellId + "-attempt-2.log");
    } finally {
      for (String c : ConversionTestSupport.containersOf(owner)) {
        new ProcessBuilder("docker", "rm", "-f", c).start().waitFor(30, TimeUnit.SECONDS);
      }
    }
    assertThat(ConversionTestSupport.containersOf(owner)).isEmpty();
  }

  private static String state(ServiceProcess s, long job) throws Exception {
    return Json.mapper().readTree(s.get("/api/v1/jobs/" + job).body()).get("state").asText();
  }


  private static void awaitContainers(String owner, int n) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (ConversionTestSupport.containersOf(owner).size() >= n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no container of " + owner + " started");
  }
}
