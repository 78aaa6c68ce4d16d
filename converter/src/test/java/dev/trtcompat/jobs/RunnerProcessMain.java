package dev.trtcompat.jobs;

import dev.trtcompat.catalog.ModelCatalog;
import dev.trtcompat.store.Database;
import dev.trtcompat.store.DatabaseConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A stand-in for the service process in the kill -9 test: runs a {@link JobRunner} on the given database
 * with a slow executor until it is killed. Each attempt leaves {@code cell-<id>-attempt-<n>.started} and,
 * if it completes, {@code .done} in the marker folder, so the test can count executions from outside.
 *
 * <p>Arguments: data folder, JDBC URL or {@code sqlite}, instance id, lease millis, marker folder, millis
 * each cell takes.
 */
public final class RunnerProcessMain {

  private RunnerProcessMain() {}

  public static void main(String[] args) throws Exception {
    Path dataDir = Path.of(args[0]);
    DatabaseConfig config = args[1].equals("sqlite")
        ? DatabaseConfig.embedded(dataDir)
        : DatabaseConfig.postgres(dataDir, args[1], null, null);
    String instance = args[2];
    Duration lease = Duration.ofMillis(Long.parseLong(args[3]));
    Path markers = Path.of(args[4]);
    long cellMillis = Long.parseLong(args[5]);

    Database db = Database.open(config);
    JobQueue queue = new JobQueue(db, dataDir, JobLimits.defaults(), Clock.systemUTC());
    ModelCatalog models = new ModelCatalog(db, dataDir, Clock.systemUTC());
    CellExecutor slow = (task, log) -> {
      String name = "cell-" + task.cell().id() + "-attempt-" + task.attempt();
      Files.createDirectories(markers);
      Files.writeString(markers.resolve(name + ".started"), instance);
      long end = System.currentTimeMillis() + cellMillis;
      int line = 0;
      while (System.currentTimeMillis() < end) {
        log.line(instance + " line " + line++);
        Thread.sleep(50);
      }
      Files.writeString(markers.resolve(name + ".done"), instance);
      return CellResult.succeeded("{\"by\":\"" + instance + "\"}");
    };
    JobRunnerConfig runnerConfig = new JobRunnerConfig(instance, 1, lease, lease.dividedBy(4),
        Duration.ofMillis(50), 3, Duration.ofSeconds(5));
    JobRunner.start(queue, slow, runnerConfig, OrphanedCellCleanup.NONE, sha -> dataDir.resolve("models").resolve(sha + ".onnx"));
    System.out.println("runner " + instance + " started");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // until killed
  }
}
