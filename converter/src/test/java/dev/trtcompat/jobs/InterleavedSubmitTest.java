package dev.trtcompat.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.catalog.ModelCatalog;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.jobs.JobRequest.CellRequest;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import dev.trtcompat.testing.Await;
import dev.trtcompat.testing.Backend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several jobs submitted together (the comparison's "measure every model") on a real SQLite queue: all or none,
 * and a single worker runs their cells round-robin across the jobs, not job after job.
 */
class InterleavedSubmitTest {

  @TempDir Path dataDir;
  private Database db;
  private JobQueue queue;
  private JobRunner runner;
  private final List<String> models = new ArrayList<>();
  private ModelCatalog catalog;

  @BeforeEach
  void open() throws Exception {
    db = Database.open(Backend.sqlite().newDatabase(dataDir));
    queue = new JobQueue(db, dataDir, new JobLimits(10, 4), Clock.systemUTC());
    catalog = new ModelCatalog(db, dataDir, Clock.systemUTC());
    for (String name : List.of("a", "b", "c", "d", "e")) {
      models.add(catalog.register(name.repeat(64), name + ".onnx", 7).sha256());
    }
  }

  @AfterEach
  void close() {
    if (runner != null) {
      runner.close();
    }
    db.close();
  }

  private JobRequest request(String model, int cells) {
    List<CellRequest> out = new ArrayList<>();
    for (int i = 0; i < cells; i++) {
      out.add(CellRequest.of(CellSpec.conversion("10." + i, Precision.FP16)));
    }
    return new JobRequest(model, "alice", "{\"timeoutSeconds\":60}", out);
  }

  @Test
  void oneWorkerRunsTheJobsCellsRoundRobin() throws Exception {
    List<Job> jobs = queue.submitInterleaved(List.of(request(models.get(0), 3), request(models.get(1), 3),
        request(models.get(2), 2)));
    assertThat(jobs).extracting(Job::modelSha256).containsExactly(models.get(0), models.get(1), models.get(2));
    List<Long> ranJobs = new CopyOnWriteArrayList<>();
    runner = JobRunner.start(queue, (task, log) -> {
      ranJobs.add(task.cell().jobId());
      return CellResult.succeeded("{}");
    }, new JobRunnerConfig("interleave", 1, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(20), 3,
        Duration.ofSeconds(10)), OrphanedCellCleanup.NONE, sha -> dataDir.resolve("models").resolve(sha + ".onnx"));
    Await.until(Duration.ofSeconds(20), "all 8 cells to run", () -> ranJobs.size(), n -> n == 8);
    long a = jobs.get(0).id();
    long b = jobs.get(1).id();
    long c = jobs.get(2).id();
    assertThat(ranJobs).containsExactly(a, b, c, a, b, c, a, b);
  }

  @Test
  void overTheClientLimitNothingIsAccepted() {
    List<JobRequest> five = models.stream().map(m -> request(m, 1)).toList();
    assertThatThrownBy(() -> queue.submitInterleaved(five))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(Kind.LIMIT_REACHED));
    for (String m : models) {
      assertThat(queue.jobsForModel(m)).isEmpty();
    }
    assertThat(queue.submitInterleaved(five.subList(0, 4))).hasSize(4);
  }
}
