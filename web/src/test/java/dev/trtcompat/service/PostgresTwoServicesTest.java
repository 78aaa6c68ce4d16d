package dev.trtcompat.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.ServiceProcess;
import dev.trtcompat.testing.TestDatabases;
import dev.trtcompat.testing.TestDatabases.FreshPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real service processes on one PostgreSQL database and one shared data folder: a job submitted to one is
 * run by both, every cell exactly once, and either answers for it. Containers are the trtexec TEST DOUBLE.
 */
@Tag("postgres")
@Tag("docker")
@Tag("process")
class PostgresTwoServicesTest {

  @Test
  void twoInstancesShareTheQueueAndNoCellRunsTwice(@TempDir Path dir) throws Exception {
    ConversionTestSupport.testDoubleImageFor("8.6");
    ConversionTestSupport.testDoubleImageFor("10.0");
    String owner = "test-pg2-" + UUID.randomUUID().toString().substring(0, 8);
    Path data = dir.resolve("data");
    try (FreshPostgres db = TestDatabases.freshPostgres()) {
      Map<String, String> env = new HashMap<>(Map.of("TRT_COMPAT_REGISTRY", "trt-compat-test-double",
          "TRT_COMPAT_GPUS", "none", "TRT_COMPAT_CONTAINER_OWNER", owner, "TRT_COMPAT_DATABASE_URL", db.url(),
          "TRT_COMPAT_WORKERS", "1",
          "TRT_COMPAT_CONTAINER_ENV", "TRTEXEC_DOUBLE_LOG=trt10.16-fp32-success.log,TRTEXEC_DOUBLE_SLEEP=1"));
      Map<String, String> envA = new HashMap<>(env);
      envA.put("TRT_COMPAT_INSTANCE_ID", "instance-a");
      Map<String, String> envB = new HashMap<>(env);
      envB.put("TRT_COMPAT_INSTANCE_ID", "instance-b");
      try (ServiceProcess a = ServiceProcess.start(dir, data, envA, "a.log");
          ServiceProcess b = ServiceProcess.start(dir, data, envB, "b.log")) {
        JsonNode up = Json.mapper().readTree(a.send(new Multipart()
            .file("model", "abs.onnx", Files.readAllBytes(ConversionTestSupport.ABS_MODEL))
            .text("trt", "8.6").text("trt", "10.0").text("precision", "fp32").text("precision", "fp16")
            .text("precision", "int8").text("reference", "off")
            .post(a.uri("/api/v1/models")).build()).body());
        long jobId = up.get("jobId").asLong();

        // B never saw the upload, yet answers for the model and the job from the shared database and folder.
        assertThat(b.get("/api/v1/models/" + up.get("id").asText()).statusCode()).isEqualTo(200);
        JsonNode job = b.awaitJobFinished(jobId, Duration.ofSeconds(180));
        assertThat(job.get("cells")).hasSize(6);
        for (JsonNode c : job.get("cells")) {
          assertThat(c.get("state").asText()).as(c.toString()).isEqualTo("succeeded");
          assertThat(c.get("attempts").asInt()).isEqualTo(1);
        }
        assertThat(a.get("/api/v1/jobs/" + jobId).body()).isEqualTo(b.get("/api/v1/jobs/" + jobId).body());

        Set<String> runners = new HashSet<>();
        try (Connection c = DriverManager.getConnection(db.url()); Statement s = c.createStatement()) {
          try (ResultSet rs = s.executeQuery("SELECT cell_id, COUNT(*) FROM cell_event WHERE to_state = 'RUNNING'"
              + " GROUP BY cell_id")) {
            int cells = 0;
            while (rs.next()) {
              cells++;
              assertThat(rs.getInt(2)).as("claims of cell " + rs.getLong(1)).isEqualTo(1);
            }
            assertThat(cells).isEqualTo(6);
          }
          try (ResultSet rs = s.executeQuery("SELECT DISTINCT instance FROM cell_event WHERE to_state = 'RUNNING'")) {
            while (rs.next()) {
              runners.add(rs.getString(1));
            }
          }
        }
        // One worker each and a one-second run per cell: both instances take work.
        assertThat(runners).containsExactlyInAnyOrder("instance-a", "instance-b");
      } finally {
        for (String c : ConversionTestSupport.containersOf(owner)) {
          new ProcessBuilder("docker", "rm", "-f", c).start().waitFor(30, TimeUnit.SECONDS);
        }
      }
    }
  }

}
