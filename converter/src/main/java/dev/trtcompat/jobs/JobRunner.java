package dev.trtcompat.jobs;

import dev.trtcompat.concurrent.DaemonThreads;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.store.DatabaseException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes queued cells: claims them under a lease, runs them on its own worker pool, keeps the leases
 * alive, records every outcome, and recovers cells that a dead instance left running. Any number of
 * runners (one per service instance) may share one PostgreSQL database. See docs/jobs.md.
 */
public final class JobRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  static final String LEASE_LOST = "lease lost to another instance";
  static final String STOPPING = "instance stopping";
  static final String BY_USER = "cancelled by user";

  private final JobQueue queue;
  private final JobStore store;
  private final CellExecutor executor;
  private final JobRunnerConfig config;
  private final OrphanedCellCleanup cleanup;
  private final Function<String, Path> modelFile;
  private final ExecutorService workers;
  private final ScheduledExecutorService ticker;
  private final Map<Long, Execution> running = new ConcurrentHashMap<>();
  private volatile boolean stopping;
  private volatile boolean halted;

  private JobRunner(
      JobQueue queue, CellExecutor executor, JobRunnerConfig config, OrphanedCellCleanup cleanup,
      Function<String, Path> modelFile) {
    this.queue = queue;
    this.store = queue.store();
    this.executor = executor;
    this.config = config;
    this.cleanup = cleanup;
    this.modelFile = modelFile;
    this.workers = Executors.newFixedThreadPool(config.workers(), DaemonThreads.named("trt-compat-cell-"));
    this.ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("trt-compat-queue-"));
  }

  /**
   * Recovers what this instance id or dead instances left running, then starts claiming.
   *
   * @param modelFile where a model's file is, by SHA-256 (the model file store knows)
   */
  public static JobRunner start(
      JobQueue queue, CellExecutor executor, JobRunnerConfig config, OrphanedCellCleanup cleanup,
      Function<String, Path> modelFile) {
    JobRunner runner = new JobRunner(queue, executor, config, cleanup, modelFile);
    runner.recover(true);
    queue.onNewWork(runner::wake);
    queue.onCancelRequested(id -> runner.cancelLocal(id, BY_USER));
    long poll = config.poll().toMillis();
    long heartbeat = config.heartbeat().toMillis();
    long sweep = Math.max(poll, config.lease().toMillis() / 2);
    runner.ticker.scheduleWithFixedDelay(runner.guarded("claim", runner::tick), 0, poll, TimeUnit.MILLISECONDS);
    runner.ticker.scheduleWithFixedDelay(runner.guarded("heartbeat", runner::heartbeat), heartbeat, heartbeat,
        TimeUnit.MILLISECONDS);
    runner.ticker.scheduleWithFixedDelay(runner.guarded("recovery", () -> runner.recover(false)), sweep, sweep,
        TimeUnit.MILLISECONDS);
    return runner;
  }

  public String instanceId() {
    return config.instanceId();
  }

  /** Cells executing in this instance right now. */
  public Set<Long> runningCells() {
    return Set.copyOf(running.keySet());
  }

  // ---- claiming and executing

  private void wake() {
    if (stopping) {
      return;
    }
    try {
      ticker.execute(guarded("claim", this::claimAvailable));
    } catch (RejectedExecutionException e) {
      // stopping: nothing more to claim
    }
  }

  private void tick() {
    claimAvailable();
    syncRunning();
  }

  /** Runs on the ticker thread only, so {@code running} never grows past the worker count. */
  private void claimAvailable() {
    while (!stopping && running.size() < config.workers()) {
      Optional<Claimed> claimed = claimOne();
      if (claimed.isEmpty()) {
        return;
      }
      launch(claimed.get());
    }
  }

  private record Claimed(Cell cell, Job job) {}

  private Optional<Claimed> claimOne() {
    Instant now = queue.now();
    List<CellEvent> events = new ArrayList<>();
    Optional<Claimed> claimed = store.db().inTransaction(c -> {
      Optional<Cell> cell = store.claim(c, config.instanceId(), now, now.plus(config.lease()));
      if (cell.isEmpty()) {
        return Optional.<Claimed>empty();
      }
      Cell cl = cell.get();
      events.add(store.insertEvent(c, cl.id(), cl.jobId(), now, CellState.QUEUED, CellState.RUNNING, cl.attempts(),
          config.instanceId(), null));
      return Optional.of(new Claimed(cl, store.job(c, cl.jobId()).orElseThrow()));
    });
    queue.publish(events);
    return claimed;
  }

  private void launch(Claimed claimed) {
    Execution execution = new Execution(claimed.cell(), new Cancellation());
    running.put(claimed.cell().id(), execution);
    try {
      workers.execute(() -> execute(execution, claimed.job()));
    } catch (RejectedExecutionException e) {
      running.remove(claimed.cell().id());
      // Stopping: leave the claim to lease expiry or this instance id's next start-up.
    }
  }

  /** One attempt of one cell, on a worker thread. */
  private final class Execution {
    final Cell cell;
    final Cancellation cancellation;
    private Thread thread;
    private boolean done;

    Execution(Cell cell, Cancellation cancellation) {
      this.cell = cell;
      this.cancellation = cancellation;
    }

    synchronized void begin() {
      thread = Thread.currentThread();
    }

    synchronized void end() {
      done = true;
      Thread.interrupted(); // the pool thread must not carry a cancel into the next cell
    }

    synchronized void interrupt() {
      if (thread != null && !done) {
        thread.interrupt();
      }
    }
  }

  private void execute(Execution ex, Job job) {
    Cell cell = ex.cell;
    ex.begin();
    ex.cancellation.onCancel(ex::interrupt);
    CellResult result = null;
    Throwable error = null;
    try (CellLogFiles.Writer writer = queue.logs().open(cell)) {
      CellLog log = line -> {
        writer.append(line);
        queue.publishLog(cell.jobId(), cell.id(), line);
      };
      CellTask task = new CellTask(cell, job.modelSha256(), modelFile.apply(job.modelSha256()), job.requestJson(),
          cell.attempts(), ex.cancellation);
      result = executor.execute(task, log);
      if (result == null) {
        throw new IllegalStateException("executor returned no result");
      }
    } catch (Throwable t) {
      error = t;
    } finally {
      ex.end();
    }
    try {
      if (!halted) {
        record(ex, result, error);
      }
    } finally {
      running.remove(cell.id());
      wake();
    }
  }

  private void record(Execution ex, CellResult result, Throwable error) {
    Cell cell = ex.cell;
    String why = ex.cancellation.reason();
    if (LEASE_LOST.equals(why)) {
      LOG.warn("cell {} attempt {}: lease lost, its outcome is not recorded here", cell.id(), cell.attempts());
      return;
    }
    if (error != null && !(error instanceof InterruptedException) && why == null) {
      LOG.info("cell {} attempt {} failed", cell.id(), cell.attempts(), error);
    }
    JobStore.Guard held = JobStore.Guard.held(config.instanceId(), cell.attempts());
    Instant now = queue.now();
    List<CellEvent> events = new ArrayList<>();
    withRetries("record cell " + cell.id(), () -> {
      events.clear();
      store.db().inTransaction(c -> {
        if (result != null && error == null) {
          CellState to = result.succeeded() ? CellState.SUCCEEDED : CellState.FAILED;
          store.move(c, cell, held, to, result.reason(), result.resultJson(), config.instanceId(), now, false)
              .ifPresent(events::add);
        } else if (STOPPING.equals(why)) {
          String reason = "instance " + config.instanceId() + " stopped while running it";
          Optional<CellEvent> out = store.move(c, cell, held, CellState.INTERRUPTED, reason, null,
              config.instanceId(), now, false);
          if (out.isPresent()) {
            events.add(out.get());
            store.move(c, cell, JobStore.Guard.state(CellState.INTERRUPTED), CellState.QUEUED,
                "re-queued after: " + reason, null, config.instanceId(), now, false).ifPresent(events::add);
          }
        } else if (why != null) {
          store.move(c, cell, held, CellState.CANCELLED, why, null, config.instanceId(), now, false)
              .ifPresent(events::add);
        } else {
          store.move(c, cell, held, CellState.FAILED, describe(error), null, config.instanceId(), now, false)
              .ifPresent(events::add);
        }
        return null;
      });
    });
    queue.publish(events);
  }

  private static String describe(Throwable error) {
    if (error instanceof UserFacingException u && !(error instanceof DatabaseException)) {
      return u.detail();
    }
    if (error instanceof InterruptedException) {
      return "interrupted";
    }
    // Not a failure the user caused or can read about in a trtexec log: say so, name it for the operator (the
    // service log has the trace), and say what to do.
    String message = error.getMessage();
    String firstLine = message == null ? "" : message.lines().findFirst().orElse("");
    return "trt-compat failed while running this cell (" + error.getClass().getSimpleName()
        + (firstLine.isEmpty() ? "" : ": " + firstLine) + "); retry it, and look in the service log if it happens again";
  }

  // ---- leases and cancellation

  private void heartbeat() {
    if (running.isEmpty()) {
      return;
    }
    Instant now = queue.now();
    Set<Long> executing = Set.copyOf(running.keySet());
    store.db().inTransaction(c -> store.heartbeat(c, config.instanceId(), executing, now.plus(config.lease()), now));
  }

  /** Applies cancel requests made on any instance, and stops executions whose lease another instance took. */
  private void syncRunning() {
    if (running.isEmpty()) {
      return;
    }
    Map<Long, Cell> held = store.db().read(c -> store.cellsOwnedBy(c, config.instanceId())).stream()
        .collect(Collectors.toMap(Cell::id, c -> c));
    for (Execution ex : running.values()) {
      Cell now = held.get(ex.cell.id());
      if (now == null || now.attempts() != ex.cell.attempts()) {
        // Re-check: the execution may simply have finished since the read.
        if (running.get(ex.cell.id()) == ex) {
          ex.cancellation.cancel(LEASE_LOST);
        }
      } else if (now.cancelRequested()) {
        ex.cancellation.cancel(BY_USER);
      }
    }
  }

  private void cancelLocal(long cellId, String why) {
    Execution ex = running.get(cellId);
    if (ex != null) {
      ex.cancellation.cancel(why);
    }
  }

  // ---- recovery

  /**
   * Marks orphaned running cells INTERRUPTED, asks the container layer to remove their leftovers, then
   * re-queues them (or fails them after {@code maxAttempts}). Every step is guarded, so several instances
   * sweeping at once move each cell once.
   */
  void recover(boolean atStartup) {
    Instant now = queue.now();
    // Never recover what this instance is executing, even if a slow heartbeat let its lease pass.
    List<Cell> orphans = store.db().read(c -> store.orphans(c, now, config.instanceId(), atStartup)).stream()
        .filter(c -> !running.containsKey(c.id()))
        .toList();
    for (Cell cell : orphans) {
      if (cell.state() == CellState.RUNNING) {
        String reason = atStartup && cell.owner().equals(config.instanceId())
            ? "instance " + cell.owner() + " restarted while running it"
            : "instance " + cell.owner() + " stopped renewing its lease (expired " + cell.leaseUntil() + ")";
        Optional<CellEvent> marked = store.db().inTransaction(c -> store.move(c, cell,
            JobStore.Guard.held(cell.owner(), cell.attempts()), CellState.INTERRUPTED, reason, null,
            config.instanceId(), now, false));
        if (marked.isEmpty()) {
          continue; // another instance recovered it, or its owner finished after all
        }
        queue.publish(List.of(marked.get()));
        LOG.warn("cell {} attempt {}: {}", cell.id(), cell.attempts(), reason);
      }
      try {
        cleanup.removeLeftovers(cell, cell.owner());
      } catch (Exception e) {
        // Re-queue anyway: a later attempt runs under a new label, and leaving the cell stuck loses work.
        LOG.warn("cell {}: removing leftovers of attempt {} failed", cell.id(), cell.attempts(), e);
      }
      boolean exhausted = cell.attempts() >= config.maxAttempts();
      CellState to = exhausted ? CellState.FAILED : CellState.QUEUED;
      String reason = exhausted
          ? "interrupted " + cell.attempts() + " times; not re-queued again (retry it to try once more)"
          : "re-queued after interruption";
      store.db().inTransaction(c -> store.move(c, cell, JobStore.Guard.state(CellState.INTERRUPTED), to, reason,
          null, config.instanceId(), now, false)).ifPresent(e -> queue.publish(List.of(e)));
    }
    if (!orphans.isEmpty()) {
      wake();
    }
  }

  // ---- lifecycle

  /**
   * Stops claiming, asks running executors to stop and re-queues their cells for another instance (or
   * this one's next start). Executors that ignore the request past {@code stopTimeout} keep their cells
   * RUNNING until the lease passes.
   */
  @Override
  public void close() {
    stopping = true;
    ticker.shutdownNow();
    awaitQuietly(ticker, config.stopTimeout().toMillis());
    running.values().forEach(ex -> ex.cancellation.cancel(STOPPING));
    workers.shutdown();
    if (!awaitQuietly(workers, config.stopTimeout().toMillis())) {
      workers.shutdownNow();
    }
  }

  /** Stops every thread without writing anything: what a kill -9 leaves behind, for tests. */
  void halt() {
    halted = true;
    stopping = true;
    ticker.shutdownNow();
    workers.shutdownNow();
    awaitQuietly(ticker, 5_000);
    awaitQuietly(workers, 5_000);
  }

  private static boolean awaitQuietly(ExecutorService service, long millis) {
    try {
      return service.awaitTermination(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Runnable guarded(String what, Runnable task) {
    // A scheduled task that throws is never run again: log instead, the next tick retries.
    return () -> {
      try {
        if (!halted) {
          task.run();
        }
      } catch (RuntimeException e) {
        LOG.warn("job runner {}: {} failed; retrying on the next tick", config.instanceId(), what, e);
      }
    };
  }

  private void withRetries(String what, Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (DatabaseException e) {
        if (attempt == 3 || halted) {
          // The lease will pass and recovery will re-run the cell: late, but nothing is lost.
          LOG.error("job runner {}: could not {}; recovery will re-queue it", config.instanceId(), what, e);
          return;
        }
        try {
          Thread.sleep(1_000L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
