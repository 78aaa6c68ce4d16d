package dev.trtcompat.jobs;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the web layer and the CLI use: submit jobs (within limits), read them, cancel and retry cells or
 * whole jobs, and follow state changes. A {@link JobRunner} executes the queued cells.
 */
public final class JobQueue {

  private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);
  private static final String BY_USER = "cancelled by user";

  private final JobStore store;
  private final CellLogFiles logs;
  private final JobLimits limits;
  private final Clock clock;
  private final List<CellListener> listeners = new CopyOnWriteArrayList<>();
  private final List<LongConsumer> cancelHooks = new CopyOnWriteArrayList<>();
  private final List<Runnable> newWorkHooks = new CopyOnWriteArrayList<>();

  public JobQueue(Database db, Path dataDir, JobLimits limits, Clock clock) {
    this.store = new JobStore(db);
    this.logs = new CellLogFiles(dataDir);
    this.limits = limits;
    this.clock = clock;
  }

  /**
   * Accepts a job: once this returns, the job and its cells are committed and will run even if this
   * instance dies. Refused with LIMIT_REACHED when the service or the client has too many unfinished jobs,
   * NOT_FOUND when the model was never uploaded.
   */
  public Job submit(JobRequest request) {
    Instant now = now();
    List<CellEvent> events = new ArrayList<>();
    long jobId = store.db().inTransaction(c -> {
      store.holdSubmissionGate(c);
      if (!store.touchModel(c, request.modelSha256(), now)) {
        throw new UserFacingException(Kind.NOT_FOUND, "model_not_found",
            "No model with SHA-256 " + request.modelSha256() + " is stored; upload it first.");
      }
      checkLimits(c, request.clientId(), 1);
      long id = store.insertJob(c, request, sha256(request.requestJson()), now);
      for (JobRequest.CellRequest cell : request.cells()) {
        events.add(store.insertCell(c, id, cell, now));
      }
      return id;
    });
    publish(events);
    wakeRunners();
    return requireJob(jobId);
  }

  /**
   * Accepts several jobs together, all or none (the comparison's "measure every model"): their cells are inserted
   * round-robin across the jobs, and since workers claim queued cells in id order, the jobs progress evenly
   * instead of one after the other. Each job counts against the limits.
   */
  public List<Job> submitInterleaved(List<JobRequest> requests) {
    if (requests.isEmpty()) {
      return List.of();
    }
    Instant now = now();
    List<CellEvent> events = new ArrayList<>();
    List<Long> jobIds = store.db().inTransaction(c -> {
      store.holdSubmissionGate(c);
      for (JobRequest request : requests) {
        if (!store.touchModel(c, request.modelSha256(), now)) {
          throw new UserFacingException(Kind.NOT_FOUND, "model_not_found",
              "No model with SHA-256 " + request.modelSha256() + " is stored; upload it first.");
        }
      }
      for (String client : requests.stream().map(JobRequest::clientId).distinct().toList()) {
        checkLimits(c, client, (int) requests.stream().filter(r -> r.clientId().equals(client)).count());
      }
      List<Long> ids = new ArrayList<>();
      for (JobRequest request : requests) {
        ids.add(store.insertJob(c, request, sha256(request.requestJson()), now));
      }
      int most = requests.stream().mapToInt(r -> r.cells().size()).max().orElse(0);
      for (int i = 0; i < most; i++) {
        for (int j = 0; j < requests.size(); j++) {
          if (i < requests.get(j).cells().size()) {
            events.add(store.insertCell(c, ids.get(j), requests.get(j).cells().get(i), now));
          }
        }
      }
      return ids;
    });
    publish(events);
    wakeRunners();
    return jobIds.stream().map(this::requireJob).toList();
  }

  /** Refuses {@code adding} more unfinished jobs when they would pass the service's or the client's limit. */
  private void checkLimits(Connection c, String clientId, int adding) throws SQLException {
    if (store.countUnfinishedJobs(c, null) + adding > limits.maxUnfinishedJobs()) {
      throw new UserFacingException(Kind.LIMIT_REACHED, "too_many_jobs",
          "The service already has " + limits.maxUnfinishedJobs()
              + " unfinished jobs; wait for some to finish, then submit again.");
    }
    if (store.countUnfinishedJobs(c, clientId) + adding > limits.maxUnfinishedJobsPerClient()) {
      throw new UserFacingException(Kind.LIMIT_REACHED, "too_many_jobs_for_client",
          "You already have " + limits.maxUnfinishedJobsPerClient()
              + " unfinished jobs; wait for one to finish or cancel one, then submit again.");
    }
  }

  public Optional<Job> job(long jobId) {
    return store.db().read(c -> store.job(c, jobId));
  }

  public Job requireJob(long jobId) {
    return job(jobId).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "job_not_found",
        "There is no job " + jobId + "; it may have been deleted with its model."));
  }

  public Optional<Cell> cell(long cellId) {
    return store.db().read(c -> store.cell(c, cellId));
  }

  public Cell requireCell(long cellId) {
    return cell(cellId).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "cell_not_found",
        "There is no cell " + cellId + "; it may have been deleted with its model."));
  }

  /** Every job of a model, newest first: what an upload of the same model again is offered. */
  public List<Job> jobsForModel(String modelSha256) {
    return store.db().read(c -> store.jobsForModel(c, modelSha256));
  }

  /**
   * The model's newest cell of one kind across all its jobs: the ONNX Runtime reference row shows the latest
   * reference cell, whichever job (a full job or a reference run on its own) holds it.
   */
  public Optional<Cell> latestCell(String modelSha256, CellKind kind) {
    return store.db().read(c -> store.latestCell(c, modelSha256, kind));
  }

  /** The newest job of this model with exactly this request, if one was made before. */
  public Optional<Job> latestJob(String modelSha256, String requestJson) {
    String sha = sha256(requestJson);
    return jobsForModel(modelSha256).stream().filter(j -> j.requestSha256().equals(sha)).findFirst();
  }

  /**
   * Cancels one cell: a queued cell at once; a running one is asked to stop (its runner, here or on
   * another instance, stops the executor and records CANCELLED). A finished cell is left as it is.
   */
  public Cell cancelCell(long cellId) {
    Cell cell = requireCell(cellId);
    cancel(List.of(cell));
    return requireCell(cellId);
  }

  /** Cancels every unfinished cell of a job. */
  public Job cancelJob(long jobId) {
    cancel(requireJob(jobId).cells());
    return requireJob(jobId);
  }

  private void cancel(List<Cell> cells) {
    Instant now = now();
    List<CellEvent> events = new ArrayList<>();
    List<Long> running = new ArrayList<>();
    store.db().inTransaction(c -> {
      for (Cell seen : cells) {
        Optional<Cell> current = store.cell(c, seen.id());
        if (current.isEmpty()) {
          continue;
        }
        Cell cell = current.get();
        switch (cell.state()) {
          case QUEUED, INTERRUPTED -> store.move(c, cell, JobStore.Guard.state(cell.state()), CellState.CANCELLED,
              BY_USER, null, null, now, false).ifPresent(events::add);
          case RUNNING -> {
            if (store.requestCancel(c, cell.id())) {
              running.add(cell.id());
            }
          }
          default -> { }
        }
      }
      return null;
    });
    publish(events);
    for (long id : running) {
      cancelHooks.forEach(h -> h.accept(id));
    }
  }

  /**
   * Runs a finished cell again (failed, cancelled, or succeeded to measure anew); a skipped cell only with
   * {@code force}, since the static check says it cannot convert. Refused with CONFLICT while it is queued
   * or running, LIMIT_REACHED when re-opening the job would pass a limit.
   */
  public Cell retryCell(long cellId, boolean force) {
    Cell cell = requireCell(cellId);
    if (cell.state() == CellState.SKIPPED && !force) {
      throw new UserFacingException(Kind.CONFLICT, "cell_skipped",
          "This cell was skipped because the static check predicts it cannot convert ("
              + cell.reason() + "); retry with force to run it anyway.");
    }
    if (!cell.state().retryable() && cell.state() != CellState.SKIPPED) {
      throw new UserFacingException(Kind.CONFLICT, "cell_not_finished",
          "This cell is " + cell.state().name().toLowerCase() + "; cancel it first or wait for it to finish.");
    }
    requeue(cell.jobId(), List.of(cell), force);
    return requireCell(cellId);
  }

  /** Re-queues every failed or cancelled cell of a job. */
  public Job retryJob(long jobId) {
    Job job = requireJob(jobId);
    List<Cell> cells = job.cells().stream()
        .filter(c -> c.state() == CellState.FAILED || c.state() == CellState.CANCELLED)
        .toList();
    if (!cells.isEmpty()) {
      requeue(jobId, cells, false);
    }
    return requireJob(jobId);
  }

  private void requeue(long jobId, List<Cell> cells, boolean force) {
    Instant now = now();
    List<CellEvent> events = new ArrayList<>();
    store.db().inTransaction(c -> {
      store.holdSubmissionGate(c);
      Job job = store.job(c, jobId).orElseThrow();
      if (!job.unfinished()) {
        checkLimits(c, job.clientId(), 1);
      }
      for (Cell cell : cells) {
        Optional<CellEvent> moved = store.move(c, cell, JobStore.Guard.state(cell.state()), CellState.QUEUED,
            null, null, null, now, force);
        events.add(moved.orElseThrow(() -> new UserFacingException(Kind.CONFLICT, "cell_changed",
            "The cell changed while retrying it; reload and try again.")));
      }
      return null;
    });
    publish(events);
    wakeRunners();
  }

  /** A cell's state changes, oldest first. */
  public List<CellEvent> events(long cellId) {
    return store.db().read(c -> store.events(c, "cell_id = ?", cellId, Integer.MAX_VALUE));
  }

  /**
   * State changes made by any instance after event {@code afterId}, oldest first: a browser connected to
   * one instance follows work that others run by polling this from the last id it saw.
   */
  public List<CellEvent> eventsAfter(long afterId, int max) {
    return store.db().read(c -> store.events(c, "id > ?", afterId, max));
  }

  /** The newest event's id, 0 when there is none: where a feed that only wants what comes next starts. */
  public long lastEventId() {
    return store.db().read(c -> {
      try (java.sql.Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM cell_event")) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  public void addListener(CellListener listener) {
    listeners.add(listener);
  }

  public void removeListener(CellListener listener) {
    listeners.remove(listener);
  }

  public CellLogFiles logs() {
    return logs;
  }

  // ---- for JobRunner

  JobStore store() {
    return store;
  }

  Instant now() {
    // Milliseconds: what the database keeps, so values read back compare equal.
    return Instant.ofEpochMilli(clock.millis());
  }

  void onCancelRequested(LongConsumer hook) {
    cancelHooks.add(hook);
  }

  void onNewWork(Runnable hook) {
    newWorkHooks.add(hook);
  }

  private void wakeRunners() {
    newWorkHooks.forEach(Runnable::run);
  }

  void publish(List<CellEvent> events) {
    for (CellEvent event : events) {
      for (CellListener listener : listeners) {
        try {
          listener.stateChanged(event);
        } catch (RuntimeException e) {
          LOG.warn("cell listener failed on {}", event, e);
        }
      }
    }
  }

  void publishLog(long jobId, long cellId, String line) {
    for (CellListener listener : listeners) {
      try {
        listener.logLine(jobId, cellId, line);
      } catch (RuntimeException e) {
        LOG.warn("cell listener failed on a log line of cell {}", cellId, e);
      }
    }
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
