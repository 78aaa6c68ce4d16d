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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Job states, cancel and retry, limits and restart recovery, against a real database. */
abstract class JobsContract {

  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dataDir;
  private final Backend backend;
  Database db;
  JobQueue queue;
  ModelCatalog models;
  String modelSha;
  final List<JobRunner> runners = new CopyOnWriteArrayList<>();
  final Map<Long, AtomicInteger> executions = new ConcurrentHashMap<>();
  final List<CellEvent> heard = new CopyOnWriteArrayList<>();

  JobsContract(Backend backend) {
    this.backend = backend;
  }

  @BeforeEach
  void open() throws Exception {
    db = Database.open(backend.newDatabase(dataDir));
    queue = new JobQueue(db, dataDir, new JobLimits(3, 2), Clock.systemUTC());
    queue.addListener(heard::add);
    models = new ModelCatalog(db, dataDir, Clock.systemUTC());
    modelSha = models.register("ab".repeat(32), "m.onnx", 11).sha256();
    // Where the runner below finds it (the service's file store keeps it in its own layout).
    Files.writeString(Files.createDirectories(dataDir.resolve("models")).resolve(modelSha + ".onnx"), "model bytes");
  }

  @AfterEach
  void close() {
    runners.forEach(JobRunner::close);
    if (db == null) {
      return; // the database never opened (e.g. PostgreSQL skipped on purpose): nothing to close
    }
    db.close();
    backend.dropDatabase();
  }

  // ---- helpers

  static JobRunnerConfig fast(String instance) {
    return new JobRunnerConfig(instance, 2, Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMillis(50), 3,
        Duration.ofSeconds(10));
  }

  JobRunner start(JobRunnerConfig config, CellExecutor executor) {
    return start(config, executor, OrphanedCellCleanup.NONE);
  }

  JobRunner start(JobRunnerConfig config, CellExecutor executor, OrphanedCellCleanup cleanup) {
    JobRunner runner = JobRunner.start(queue, executor, config, cleanup, sha -> dataDir.resolve("models").resolve(sha + ".onnx"));
    runners.add(runner);
    return runner;
  }

  /** Succeeds after writing two log lines; counts executions per cell. */
  CellExecutor counting() {
    return (task, log) -> {
      executions.computeIfAbsent(task.cell().id(), k -> new AtomicInteger()).incrementAndGet();
      log.line("building " + task.cell().spec());
      log.line("model " + Files.size(task.modelFile()) + " bytes");
      return CellResult.succeeded("{\"cell\":" + task.cell().id() + "}");
    };
  }

  /** Blocks until released or cancelled (interrupt), like a container run. */
  static CellExecutor blocking(CountDownLatch started, CountDownLatch release) {
    return (task, log) -> {
      log.line("started attempt " + task.attempt());
      started.countDown();
      if (!release.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
      return CellResult.succeeded("{}");
    };
  }

  Job submit(String client, CellRequest... cells) {
    return queue.submit(new JobRequest(modelSha, client, "{\"timeoutSeconds\":60}", List.of(cells)));
  }

  static CellRequest fp16(String release) {
    return CellRequest.of(CellSpec.conversion(release, Precision.FP16));
  }

  Cell awaitState(long cellId, CellState state) {
    return Await.until(WAIT, "cell " + cellId + " to be " + state, () -> queue.requireCell(cellId),
        c -> c.state() == state);
  }

  Job awaitFinished(long jobId) {
    return Await.until(WAIT, "job " + jobId + " to finish", () -> queue.requireJob(jobId), j -> !j.unfinished());
  }

  List<CellState> path(long cellId) {
    return queue.events(cellId).stream().map(CellEvent::to).toList();
  }

  // ---- tests

  @Test
  void submittedJobIsStoredWithQueuedAndSkippedCells() {
    Job job = submit("alice", fp16("10.3"),
        new CellRequest(CellSpec.conversion("8.6", Precision.INT8), "opset 21 needs TensorRT 10.0 or newer", false),
        new CellRequest(CellSpec.conversion("8.6", Precision.FP16), "opset 21 needs TensorRT 10.0 or newer", true),
        CellRequest.of(CellSpec.reference()));

    assertThat(job.modelSha256()).isEqualTo(modelSha);
    assertThat(job.cells()).extracting(Cell::state)
        .containsExactly(CellState.QUEUED, CellState.SKIPPED, CellState.QUEUED, CellState.QUEUED);
    assertThat(job.cells().get(1).reason()).contains("opset 21");
    assertThat(job.cells().get(2).forced()).isTrue();
    assertThat(job.cells().get(3).spec()).isEqualTo(CellSpec.reference());
    assertThat(job.cells()).allSatisfy(c -> assertThat(c.attempts()).isZero());
    assertThat(heard).hasSize(4).allSatisfy(e -> assertThat(e.from()).isNull());
    assertThat(queue.jobsForModel(modelSha)).extracting(Job::id).containsExactly(job.id());
    assertThat(queue.latestJob(modelSha, "{\"timeoutSeconds\":60}")).map(Job::id).contains(job.id());
    assertThat(queue.latestJob(modelSha, "{\"timeoutSeconds\":61}")).isEmpty();
  }

  @Test
  void theLatestCellOfAKindIsFoundAcrossJobs() {
    assertThat(queue.latestCell(modelSha, CellKind.ORT_REFERENCE)).isEmpty();
    Job full = submit("alice", CellRequest.of(CellSpec.reference()), fp16("10.3"));
    Job referenceOnly = submit("bob", CellRequest.of(CellSpec.reference()));
    Job conversionOnly = submit("alice", fp16("8.6"));

    assertThat(queue.latestCell(modelSha, CellKind.ORT_REFERENCE)).map(Cell::id)
        .contains(referenceOnly.cells().get(0).id());
    assertThat(queue.latestCell(modelSha, CellKind.TRT_CONVERSION)).map(Cell::id)
        .contains(conversionOnly.cells().get(0).id());
    assertThat(full.cells().get(0).id()).isLessThan(referenceOnly.cells().get(0).id());
    assertThat(queue.latestCell("cd".repeat(32), CellKind.ORT_REFERENCE)).isEmpty();
  }

  @Test
  void runnerExecutesEveryQueuedCellOnceAndKeepsLogsAndResults() throws Exception {
    Job job = submit("alice", fp16("10.3"), fp16("8.6"), CellRequest.of(CellSpec.reference()));
    start(fast("a"), counting());

    Job done = awaitFinished(job.id());

    assertThat(done.cells()).allSatisfy(cell -> {
      assertThat(cell.state()).isEqualTo(CellState.SUCCEEDED);
      assertThat(cell.attempts()).isEqualTo(1);
      assertThat(cell.owner()).isNull();
      assertThat(cell.resultJson()).isEqualTo("{\"cell\":" + cell.id() + "}");
      assertThat(cell.startedAt()).isNotNull();
      assertThat(cell.finishedAt()).isAfterOrEqualTo(cell.startedAt());
      assertThat(executions.get(cell.id())).hasValue(1);
      assertThat(path(cell.id())).containsExactly(CellState.QUEUED, CellState.RUNNING, CellState.SUCCEEDED);
    });
    Cell first = done.cells().get(0);
    assertThat(Files.readAllLines(queue.logs().file(first)))
        .containsExactly("building TensorRT 10.3 FP16", "model 11 bytes");
  }

  @Test
  void failuresKeepTheirReasonAndResult() {
    Job job = submit("alice", fp16("10.3"), fp16("8.6"));
    long threw = job.cells().get(0).id();
    start(fast("a"), (task, log) -> {
      if (task.cell().id() == threw) {
        throw new UserFacingException(Kind.TIMEOUT, "timeout", "trtexec did not finish within 60 s.");
      }
      return CellResult.failed("parse failed at node /conv1", "{\"parsed\":false}");
    });

    Job done = awaitFinished(job.id());

    assertThat(done.cells().get(0).state()).isEqualTo(CellState.FAILED);
    assertThat(done.cells().get(0).reason()).isEqualTo("trtexec did not finish within 60 s.");
    assertThat(done.cells().get(1).state()).isEqualTo(CellState.FAILED);
    assertThat(done.cells().get(1).reason()).isEqualTo("parse failed at node /conv1");
    assertThat(done.cells().get(1).resultJson()).isEqualTo("{\"parsed\":false}");
  }

  @Test
  void cancellingAQueuedCellAndARunningCell() throws Exception {
    Job job = submit("alice", fp16("10.3"), fp16("8.6"), fp16("8.5"));
    long first = job.cells().get(0).id();
    long third = job.cells().get(2).id();
    queue.cancelCell(third);
    assertThat(queue.requireCell(third).state()).isEqualTo(CellState.CANCELLED);

    CountDownLatch started = new CountDownLatch(1);
    start(fast("a").withWorkers(1), blocking(started, new CountDownLatch(1)));
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.requireCell(first).state()).isEqualTo(CellState.RUNNING);

    queue.cancelCell(first);

    Cell cancelled = awaitState(first, CellState.CANCELLED);
    assertThat(cancelled.reason()).isEqualTo("cancelled by user");
    assertThat(path(first)).containsExactly(CellState.QUEUED, CellState.RUNNING, CellState.CANCELLED);
    assertThat(path(third)).containsExactly(CellState.QUEUED, CellState.CANCELLED);
    // Cancelling a finished cell changes nothing.
    assertThat(queue.cancelCell(third).state()).isEqualTo(CellState.CANCELLED);
  }

  @Test
  void cancelRequestedInTheDatabaseStopsTheRunningCell() throws Exception {
    // A cancel made on another instance reaches the owner only through the database.
    Job job = submit("alice", fp16("10.3"));
    long cell = job.cells().get(0).id();
    CountDownLatch started = new CountDownLatch(1);
    start(fast("a"), blocking(started, new CountDownLatch(1)));
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    db.inTransaction(c -> queue.store().requestCancel(c, cell));

    assertThat(awaitState(cell, CellState.CANCELLED).reason()).isEqualTo("cancelled by user");
  }

  @Test
  void cancelJobThenRetryJobRunsTheCellsAgain() {
    Job job = submit("alice", fp16("10.3"), fp16("8.6"));
    Job cancelled = queue.cancelJob(job.id());
    assertThat(cancelled.cells()).extracting(Cell::state).containsOnly(CellState.CANCELLED);
    assertThat(cancelled.unfinished()).isFalse();

    queue.retryJob(job.id());
    start(fast("a"), counting());

    Job done = awaitFinished(job.id());
    assertThat(done.cells()).extracting(Cell::state).containsOnly(CellState.SUCCEEDED);
    assertThat(path(done.cells().get(0).id()))
        .containsExactly(CellState.QUEUED, CellState.CANCELLED, CellState.QUEUED, CellState.RUNNING,
            CellState.SUCCEEDED);
  }

  @Test
  void retryRulesForSingleCells() {
    Job job = submit("alice", fp16("10.3"),
        new CellRequest(CellSpec.conversion("8.6", Precision.FP16), "unsupported op", false));
    long queued = job.cells().get(0).id();
    long skipped = job.cells().get(1).id();

    assertThatThrownBy(() -> queue.retryCell(queued, false))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONFLICT));
    assertThatThrownBy(() -> queue.retryCell(skipped, false))
        .isInstanceOfSatisfying(UserFacingException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.CONFLICT);
          assertThat(e.detail()).contains("unsupported op").contains("force");
        });

    Cell forced = queue.retryCell(skipped, true);
    assertThat(forced.state()).isEqualTo(CellState.QUEUED);
    assertThat(forced.forced()).isTrue();

    start(fast("a"), counting());
    awaitFinished(job.id());
    // A succeeded cell may be measured again; the attempt count keeps growing.
    queue.retryCell(queued, false);
    Cell again = Await.until(WAIT, "second run", () -> queue.requireCell(queued),
        c -> c.state() == CellState.SUCCEEDED && c.attempts() == 2);
    assertThat(again.logPath()).endsWith("-attempt-2.log");
    assertThat(executions.get(queued)).hasValue(2);
  }

  @Test
  void limitsOnUnfinishedJobsPerClientAndOverall() {
    submit("alice", fp16("10.3"));
    submit("alice", fp16("10.3"));
    assertThatThrownBy(() -> submit("alice", fp16("10.3")))
        .isInstanceOfSatisfying(UserFacingException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.LIMIT_REACHED);
          assertThat(e.kind()).isEqualTo(UserFacingException.Kind.LIMIT_REACHED);
          assertThat(e.error()).isEqualTo("too_many_jobs_for_client");
        });
    Job bobs = submit("bob", fp16("10.3"));
    assertThatThrownBy(() -> submit("carol", fp16("10.3")))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.error()).isEqualTo("too_many_jobs"));

    // A finished (here: cancelled) job no longer counts.
    queue.cancelJob(bobs.id());
    assertThat(submit("carol", fp16("10.3")).cells()).hasSize(1);
    // Re-opening a finished job is held to the same limits.
    assertThatThrownBy(() -> queue.retryJob(bobs.id()))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(Kind.LIMIT_REACHED));
  }

  @Test
  void unknownModelIsRefused() {
    assertThatThrownBy(() -> queue.submit(new JobRequest("f".repeat(64), "alice", "{}", List.of(fp16("10.3")))))
        .isInstanceOfSatisfying(UserFacingException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND));
    assertThat(queue.jobsForModel("f".repeat(64))).isEmpty();
  }

  @Test
  void deadOwnersCellIsInterruptedRequeuedAndRunOnceMore() throws Exception {
    Job job = submit("alice", fp16("10.3"));
    long cell = job.cells().get(0).id();
    CountDownLatch started = new CountDownLatch(1);
    JobRunner a = start(fast("instance-a"), blocking(started, new CountDownLatch(1)));
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    a.halt(); // as if killed: no further writes, the lease simply stops being renewed
    assertThat(queue.requireCell(cell).state()).isEqualTo(CellState.RUNNING);
    assertThat(queue.requireCell(cell).owner()).isEqualTo("instance-a");

    List<String> cleaned = new CopyOnWriteArrayList<>();
    start(fast("instance-b"), counting(), (c, owner) -> cleaned.add(c.id() + "/" + c.attempts() + "@" + owner));

    Cell done = awaitState(cell, CellState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(executions.get(cell)).hasValue(1); // instance-b ran it exactly once
    assertThat(cleaned).containsExactly(cell + "/1@instance-a");
    List<CellEvent> events = queue.events(cell);
    assertThat(events).extracting(CellEvent::to).containsExactly(CellState.QUEUED, CellState.RUNNING,
        CellState.INTERRUPTED, CellState.QUEUED, CellState.RUNNING, CellState.SUCCEEDED);
    assertThat(events.get(2).reason()).contains("instance-a").contains("lease");
    assertThat(events.get(4).instance()).isEqualTo("instance-b");
  }

  @Test
  void restartWithTheSameInstanceIdRecoversAtOnce() throws Exception {
    Job job = submit("alice", fp16("10.3"));
    long cell = job.cells().get(0).id();
    CountDownLatch started = new CountDownLatch(1);
    // A long lease: only the "own previous id" rule can recover the cell within the wait below.
    JobRunnerConfig longLease = fast("stable-id").withLease(Duration.ofMinutes(10), Duration.ofSeconds(10));
    JobRunner first = start(longLease, blocking(started, new CountDownLatch(1)));
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    first.halt();

    start(longLease, counting());

    Cell done = awaitState(cell, CellState.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(queue.events(cell).get(2).reason()).isEqualTo("instance stable-id restarted while running it");
  }

  @Test
  void aCellThatKeepsKillingItsInstanceFailsAfterMaxAttempts() throws Exception {
    Job job = submit("alice", fp16("10.3"));
    long cell = job.cells().get(0).id();
    JobRunnerConfig config = fast("crashy").withLease(Duration.ofMinutes(10), Duration.ofSeconds(10))
        .withMaxAttempts(2);
    for (int i = 1; i <= 2; i++) {
      CountDownLatch started = new CountDownLatch(1);
      JobRunner r = start(config, blocking(started, new CountDownLatch(1)));
      assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
      r.halt();
    }
    start(config, counting());

    Cell failed = awaitState(cell, CellState.FAILED);
    assertThat(failed.reason()).contains("interrupted 2 times");
    assertThat(executions).doesNotContainKey(cell);
  }

  @Test
  void heartbeatsKeepLongCellsButAClaimNotExecutingHereRunsOut() throws Exception {
    Job job = submit("alice", fp16("10.3"), fp16("8.6"));
    long longCell = job.cells().get(0).id();
    long stray = job.cells().get(1).id();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CellExecutor executor = (task, log) -> {
      if (task.cell().id() == longCell) {
        started.countDown();
        assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
      }
      executions.computeIfAbsent(task.cell().id(), k -> new AtomicInteger()).incrementAndGet();
      return CellResult.succeeded("{}");
    };
    start(fast("a").withWorkers(1), executor);
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    // A claim under this instance's id that no worker executes (as if the hand-over to a worker was lost).
    java.time.Instant now = java.time.Instant.now();
    db.inTransaction(c -> queue.store().claim(c, "a", now, now.plusMillis(500)));
    assertThat(queue.requireCell(stray).state()).isEqualTo(CellState.RUNNING);

    Await.until(WAIT, "the stray claim to be re-queued",
        () -> path(stray).contains(CellState.INTERRUPTED) && queue.requireCell(stray).state() == CellState.QUEUED);
    Thread.sleep(2_500); // longer than the 2 s lease: only heartbeats keep the long cell
    Cell stillRunning = queue.requireCell(longCell);
    assertThat(stillRunning.state()).isEqualTo(CellState.RUNNING);
    assertThat(stillRunning.attempts()).isEqualTo(1);
    assertThat(stillRunning.leaseUntil()).isAfter(java.time.Instant.now());
    release.countDown();

    assertThat(awaitState(stray, CellState.SUCCEEDED).attempts()).isEqualTo(2);
    assertThat(awaitState(longCell, CellState.SUCCEEDED).attempts()).isEqualTo(1);
    assertThat(path(longCell)).containsExactly(CellState.QUEUED, CellState.RUNNING, CellState.SUCCEEDED);
    assertThat(executions.get(stray)).hasValue(1);
  }

  @Test
  void gracefulStopRequeuesRunningCellsForTheNextInstance() throws Exception {
    Job job = submit("alice", fp16("10.3"));
    long cell = job.cells().get(0).id();
    CountDownLatch started = new CountDownLatch(1);
    JobRunner a = start(fast("a").withLease(Duration.ofMinutes(10), Duration.ofSeconds(10)),
        blocking(started, new CountDownLatch(1)));
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

    a.close();

    Cell requeued = queue.requireCell(cell);
    assertThat(requeued.state()).isEqualTo(CellState.QUEUED);
    assertThat(requeued.owner()).isNull();
    start(fast("b"), counting());
    assertThat(awaitState(cell, CellState.SUCCEEDED).attempts()).isEqualTo(2);
  }

  @Test
  void listenersHearTransitionsAndLogLinesAsTheyHappen() {
    List<String> lines = new CopyOnWriteArrayList<>();
    queue.addListener(new CellListener() {
      @Override
      public void stateChanged(CellEvent event) {}

      @Override
      public void logLine(long jobId, long cellId, String line) {
        lines.add(cellId + ":" + line);
      }
    });
    Job job = submit("alice", fp16("10.3"));
    long cell = job.cells().get(0).id();
    start(fast("a"), counting());
    awaitFinished(job.id());

    assertThat(heard).filteredOn(e -> e.cellId() == cell).extracting(CellEvent::to)
        .containsExactly(CellState.QUEUED, CellState.RUNNING, CellState.SUCCEEDED);
    assertThat(lines).containsExactly(cell + ":building TensorRT 10.3 FP16", cell + ":model 11 bytes");
    // The same changes are in the shared feed, for instances that did not make them.
    assertThat(queue.eventsAfter(0, 100)).extracting(CellEvent::id)
        .containsExactlyElementsOf(heard.stream().map(CellEvent::id).toList());
    // A feed starting now starts after the newest of them.
    assertThat(queue.lastEventId()).isEqualTo(heard.get(heard.size() - 1).id());
    assertThat(queue.eventsAfter(queue.lastEventId(), 100)).isEmpty();
  }
}
