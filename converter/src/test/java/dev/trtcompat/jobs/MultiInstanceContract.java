package dev.trtcompat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.catalog.ModelCatalog;
import dev.trtcompat.jobs.JobRequest.CellRequest;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import dev.trtcompat.store.DatabaseConfig;
import dev.trtcompat.testing.Await;
import dev.trtcompat.testing.Backend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two runners with separate connection pools on one database, as two service instances would be: every
 * cell runs exactly once and all finish.
 */
abstract class MultiInstanceContract {

  static final int JOBS = 4;
  static final int CELLS_PER_JOB = 30;

  @TempDir Path dataDir;
  private final Backend backend;
  private final List<AutoCloseable> opened = new ArrayList<>();

  MultiInstanceContract(Backend backend) {
    this.backend = backend;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
    backend.dropDatabase();
  }

  private <T extends AutoCloseable> T keep(T resource) {
    opened.add(resource);
    return resource;
  }

  @Test
  void twoInstancesShareTheQueueAndNoCellRunsTwice() throws Exception {
    DatabaseConfig config = backend.newDatabase(dataDir);
    Database first = keep(Database.open(config));
    Database second = keep(Database.open(config));
    JobQueue queueA = new JobQueue(first, dataDir, new JobLimits(100, 100), Clock.systemUTC());
    JobQueue queueB = new JobQueue(second, dataDir, new JobLimits(100, 100), Clock.systemUTC());
    ModelCatalog models = new ModelCatalog(first, dataDir, Clock.systemUTC());
    String model = models.register("ab".repeat(32), "m.onnx", 1).sha256();
    List<Long> jobIds = new ArrayList<>();
    for (int j = 0; j < JOBS; j++) {
      List<CellRequest> cells = new ArrayList<>();
      for (int k = 0; k < CELLS_PER_JOB; k++) {
        cells.add(CellRequest.of(CellSpec.conversion("10." + k, Precision.FP16)));
      }
      jobIds.add(queueA.submit(new JobRequest(model, "client-" + j, "{}", cells)).id());
    }

    Map<Long, List<String>> ranBy = new ConcurrentHashMap<>();
    CellExecutor executor = (task, log) -> {
      Thread.sleep(5);
      return CellResult.succeeded("{}");
    };
    JobRunnerConfig base = JobsContract.fast("x").withWorkers(3);
    keep(JobRunner.start(queueA, recording("instance-a", executor, ranBy),
        new JobRunnerConfig("instance-a", 3, base.lease(), base.heartbeat(), base.poll(), 3, base.stopTimeout()),
        OrphanedCellCleanup.NONE, sha -> dataDir.resolve("models").resolve(sha + ".onnx")));
    keep(JobRunner.start(queueB, recording("instance-b", executor, ranBy),
        new JobRunnerConfig("instance-b", 3, base.lease(), base.heartbeat(), base.poll(), 3, base.stopTimeout()),
        OrphanedCellCleanup.NONE, sha -> dataDir.resolve("models").resolve(sha + ".onnx")));

    for (long id : jobIds) {
      Await.until(Duration.ofSeconds(120), "job " + id + " to finish", () -> queueB.requireJob(id), j -> !j.unfinished());
    }

    List<Cell> cells = jobIds.stream().flatMap(id -> queueA.requireJob(id).cells().stream()).toList();
    assertThat(cells).hasSize(JOBS * CELLS_PER_JOB);
    assertThat(cells).allSatisfy(c -> {
      assertThat(c.state()).isEqualTo(CellState.SUCCEEDED);
      assertThat(c.attempts()).isEqualTo(1);
      assertThat(ranBy.get(c.id())).as("executions of cell %d", c.id()).hasSize(1);
    });
    assertThat(ranBy.values().stream().flatMap(List::stream).distinct())
        .as("both instances took work").containsExactlyInAnyOrder("instance-a", "instance-b");
  }

  private static CellExecutor recording(String instance, CellExecutor inner, Map<Long, List<String>> ranBy) {
    return (task, log) -> {
      ranBy.computeIfAbsent(task.cell().id(), k -> new CopyOnWriteArrayList<>()).add(instance);
      return inner.execute(task, log);
    };
  }
}
