package dev.trtcompat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.catalog.ModelCatalog;
import dev.trtcompat.jobs.JobRequest.CellRequest;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import dev.trtcompat.store.DatabaseConfig;
import dev.trtcompat.testing.Await;
import dev.trtcompat.testing.Backend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real runner process killed with SIGKILL in the middle of a cell, then a new process on the same
 * database: every accepted cell is still there, the killed one is interrupted, re-queued and completed,
 * and no cell completes twice.
 */
@EnabledOnOs(OS.LINUX) // destroyForcibly is SIGKILL on Linux
abstract class KillNineContract {

  @TempDir Path dataDir;
  @TempDir Path work;
  private final Backend backend;
  private final List<Process> processes = new ArrayList<>();

  KillNineContract(Backend backend) {
    this.backend = backend;
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    backend.dropDatabase();
  }

  @Test
  void killedMidRunThenRestartedLosesNothingAndRunsTheCellAgain() throws Exception {
    DatabaseConfig config = backend.newDatabase(dataDir);
    String url = config.jdbcUrl() == null ? "sqlite" : config.jdbcUrl();
    Path markers = work.resolve("markers");
    try (Database db = Database.open(config)) {
      JobQueue queue = new JobQueue(db, dataDir, JobLimits.defaults(), Clock.systemUTC());
      ModelCatalog models = new ModelCatalog(db, dataDir, Clock.systemUTC());
      String model = models.register("ab".repeat(32), "m.onnx", 1).sha256();
      Job job = queue.submit(new JobRequest(model, "alice", "{}", List.of(
          CellRequest.of(CellSpec.conversion("10.3", Precision.FP16)),
          CellRequest.of(CellSpec.conversion("10.3", Precision.FP32)),
          CellRequest.of(CellSpec.reference()))));
      long first = job.cells().get(0).id();

      // The first service takes a minute per cell: it is surely mid-run when killed.
      Process doomed = launch(url, "service-1", 60_000, markers, "service-1.out");
      Cell running = Await.until(Duration.ofSeconds(60), "service-1 to run the first cell",
          () -> queue.requireCell(first), c -> c.state() == CellState.RUNNING && logLines(queue, c) >= 2);
      assertThat(running.owner()).isEqualTo("service-1");

      doomed.destroyForcibly();
      assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(doomed.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);

      Job afterKill = queue.requireJob(job.id());
      assertThat(afterKill.cells()).hasSize(3);
      assertThat(afterKill.cells().get(0).state()).isEqualTo(CellState.RUNNING);
      assertThat(afterKill.cells().get(0).owner()).isEqualTo("service-1");
      assertThat(afterKill.cells().subList(1, 3)).extracting(Cell::state).containsOnly(CellState.QUEUED);

      // The restarted service (new id, as with a generated one) waits out the dead one's lease.
      launch(url, "service-2", 300, markers, "service-2.out");
      Job done = Await.until(Duration.ofSeconds(90), "the restarted service to finish the job",
          () -> queue.requireJob(job.id()), j -> !j.unfinished());

      assertThat(done.cells()).extracting(Cell::state).containsOnly(CellState.SUCCEEDED);
      assertThat(done.cells()).extracting(Cell::resultJson).containsOnly("{\"by\":\"service-2\"}");
      Cell recovered = done.cells().get(0);
      assertThat(recovered.attempts()).isEqualTo(2);
      assertThat(queue.events(first)).extracting(CellEvent::to).containsExactly(CellState.QUEUED, CellState.RUNNING,
          CellState.INTERRUPTED, CellState.QUEUED, CellState.RUNNING, CellState.SUCCEEDED);
      assertThat(queue.events(first).get(2).reason()).contains("service-1");
      for (Cell cell : done.cells()) {
        assertThat(markers(markers, "cell-" + cell.id() + "-", ".done")).as("completions of cell %d", cell.id())
            .hasSize(1);
      }
      assertThat(markers(markers, "cell-" + first + "-", ".started"))
          .containsExactly("cell-" + first + "-attempt-1.started", "cell-" + first + "-attempt-2.started");
      // The killed attempt's log is kept beside the new one.
      assertThat(dataDir.resolve("logs/job-" + job.id() + "/cell-" + first + "-attempt-1.log")).exists();
      assertThat(Files.readAllLines(queue.logs().file(recovered))).first().asString().startsWith("service-2 line");
    }
  }

  private static long logLines(JobQueue queue, Cell cell) {
    Path file = queue.logs().file(cell);
    try {
      return file == null || !Files.exists(file) ? 0 : Files.readAllLines(file).size();
    } catch (IOException e) {
      return 0;
    }
  }

  private static List<String> markers(Path folder, String prefix, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith(prefix) && n.endsWith(suffix)).sorted().toList();
    }
  }

  private Process launch(String url, String instance, long cellMillis, Path markers, String output)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        RunnerProcessMain.class.getName(), dataDir.toString(), url, instance, "2000", markers.toString(),
        Long.toString(cellMillis))
        .redirectErrorStream(true)
        .redirectOutput(work.resolve(output).toFile());
    Process process = builder.start();
    processes.add(process);
    return process;
  }
}
