package dev.trtcompat.service;

import dev.trtcompat.catalog.EngineCatalog;
import dev.trtcompat.catalog.ModelCatalog;
import dev.trtcompat.conversion.EngineStore;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellExecutor;
import dev.trtcompat.jobs.CellKind;
import dev.trtcompat.jobs.CellSpec;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.jobs.JobLimits;
import dev.trtcompat.jobs.JobQueue;
import dev.trtcompat.jobs.JobRequest;
import dev.trtcompat.jobs.JobRequest.CellRequest;
import dev.trtcompat.jobs.JobRunner;
import dev.trtcompat.jobs.OrphanedCellCleanup;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import dev.trtcompat.store.DatabaseConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's durable work: the database, the job queue with this instance's runner, the model and engine
 * catalogs, and the live event feed. Opening it recovers what a previous process left running (cells
 * re-queued, their containers removed); closing it re-queues what is running now.
 */
public final class JobService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobService.class);

  /** Why the static check rules a release out for a model: release to the first error, absent when it may convert. */
  @FunctionalInterface
  public interface StaticCheck {
    Map<String, String> incompatibilities(String modelId);
  }

  private final JobSettings settings;
  private final Database db;
  private final JobQueue queue;
  private final ModelCatalog models;
  private final EngineCatalog engines;
  private final DockerHost docker;
  private final ModelEvents events;
  private final StaticCheck staticCheck;
  private JobRunner runner;

  private JobService(JobSettings settings, Database db, StaticCheck staticCheck) {
    this.settings = settings;
    this.db = db;
    Clock clock = Clock.systemUTC();
    this.queue = new JobQueue(db, settings.dataDir(), new JobLimits(settings.maxJobs(), settings.maxJobsPerClient()), clock);
    this.models = new ModelCatalog(db, settings.dataDir(), clock);
    // Engines are shared by the instances over one data folder; the scratch folders are per instance (opening the
    // store clears them).
    EngineStore store;
    try {
      Path scratch = settings.dataDir().resolve("conversions")
          .resolve(settings.instanceId().replaceAll("[^A-Za-z0-9._-]", "_"));
      store = EngineStore.open(scratch, EngineCatalog.enginesDir(settings.dataDir()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.engines = new EngineCatalog(db, store, settings.engineQuotaBytes(), clock);
    this.docker = new DockerHost(settings, store);
    this.events = new ModelEvents(queue);
    this.staticCheck = staticCheck;
  }

  /**
   * Opens the database (running migrations), then starts this instance's runner, which first recovers cells a
   * dead instance (or this one before a kill) left running.
   *
   * @param store the stored models: where a model's {@code model.onnx} is, and the folder the reference cell writes
   *     its outputs to
   * @param quantize runs the INT8 quantization and FP16 conversion cells
   * @param fix runs the fix cell
   */
  public static JobService open(JobSettings settings, ModelStore store, StaticCheck staticCheck,
      QuantizeCells quantize, FixCells fix) {
    Database db = Database.open(settings.databaseUrl() == null ? DatabaseConfig.embedded(settings.dataDir())
        : DatabaseConfig.postgres(settings.dataDir(), settings.databaseUrl(), null, null));
    JobService s = new JobService(settings, db, staticCheck);
    try {
      CellExecutor executor = new CellExecutors(new ConversionCellExecutor(s.docker, s.engines),
          new ReferenceCellExecutor(store), quantize::run,
          (task, log) -> fix.run(task, FixSpec.read(task.requestJson()), log));
      OrphanedCellCleanup cleanup = (cell, previousOwner) -> {
        if (cell.spec().kind() == CellKind.TRT_CONVERSION) {
          List<String> removed = s.docker.host().removeCellContainers(cell.id(), cell.attempts());
          LOG.info("cell {} was interrupted (owner {}); removed {} container(s) it left", cell.id(), previousOwner,
              removed.size());
        }
      };
      s.runner = JobRunner.start(s.queue, executor, settings.runnerConfig(), cleanup,
          id -> store.modelFile(id).orElse(settings.dataDir().resolve("models").resolve(id).resolve("missing")));
      s.events.start();
      LOG.info("job queue on {} (instance {}, {} worker(s), engine quota {} bytes)",
          settings.databaseUrl() == null ? DatabaseConfig.embedded(settings.dataDir()).embeddedFile() : "PostgreSQL",
          settings.instanceId(), settings.workers(), settings.engineQuotaBytes());
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** Records an uploaded model so jobs can refer to it (idempotent). */
  public void registerModel(String id, String fileName, long bytes) {
    models.register(id, fileName, bytes);
  }

  /**
   * Accepts a job for a stored model: one cell per release x precision (cells the static check rules out are
   * created skipped unless forced) plus the reference cell when asked. Committed before this returns.
   */
  public Job submit(String modelId, String fileName, long bytes, JobSpec spec, String clientId) {
    return queue.submit(request(modelId, fileName, bytes, spec, clientId));
  }

  /**
   * Accepts a fix job for a stored model: one {@link CellKind#FIX} cell, run by the same workers as measurements.
   * The spec is checked by the caller first (unknown passes, shapes that contradict the model).
   */
  public Job submitFix(String modelId, String fileName, long bytes, FixSpec spec, String clientId) {
    registerModel(modelId, fileName, bytes);
    return queue.submit(new JobRequest(modelId, clientId, spec.toJson(), List.of(CellRequest.of(CellSpec.fix()))));
  }

  /** A stored model named for a job: id, the uploader's file name, bytes. */
  public record Submission(String modelId, String fileName, long bytes) {}

  /**
   * One job per model with the same spec, accepted together (all or none), their cells queued round-robin across
   * the models so that every model's cells progress evenly ({@link JobQueue#submitInterleaved}).
   */
  public List<Job> submitInterleaved(List<Submission> models, JobSpec spec, String clientId) {
    List<JobRequest> requests = new ArrayList<>();
    for (Submission m : models) {
      requests.add(request(m.modelId(), m.fileName(), m.bytes(), spec, clientId));
    }
    return queue.submitInterleaved(requests);
  }

  private JobRequest request(String modelId, String fileName, long bytes, JobSpec spec, String clientId) {
    registerModel(modelId, fileName, bytes);
    Map<String, String> ruledOut = spec.versions().isEmpty() ? Map.of() : staticCheck.incompatibilities(modelId);
    List<CellRequest> cells = new ArrayList<>();
    if (spec.reference()) {
      cells.add(CellRequest.of(CellSpec.reference()));
    }
    for (String v : spec.versions()) {
      for (Precision p : spec.precisions()) {
        cells.add(new CellRequest(CellSpec.conversion(v, p), ruledOut.get(v), spec.force()));
      }
    }
    return new JobRequest(modelId, clientId, spec.toJson(), cells);
  }

  /**
   * Accepts a job of one INT8 quantization or FP16 conversion cell ({@code cell}) for a stored model;
   * {@code orderJson} is its settings as the cell executor reads them back. Counts against the job limits like any
   * job.
   */
  public Job submitPrecisionConversion(String modelId, String fileName, long bytes, CellSpec cell, String orderJson,
      String clientId) {
    if (cell.kind() != CellKind.QUANTIZE && cell.kind() != CellKind.FP16) {
      throw new IllegalArgumentException("not a precision conversion: " + cell);
    }
    registerModel(modelId, fileName, bytes);
    return queue.submit(new JobRequest(modelId, clientId, orderJson, List.of(CellRequest.of(cell))));
  }

  /** The model's jobs that are one cell of {@code kind} (quantizations, FP16 conversions), newest first. */
  public List<Job> jobsOfOneKind(String modelId, CellKind kind) {
    return queue.jobsForModel(modelId).stream().filter(j -> only(j, kind)).toList();
  }

  /** A quantization or a fix job is exactly its one cell of that kind: true when every cell is {@code kind}. */
  private static boolean only(Job job, CellKind kind) {
    return !job.cells().isEmpty() && job.cells().stream().allMatch(c -> c.spec().kind() == kind);
  }

  public JobQueue queue() {
    return queue;
  }

  public EngineCatalog engines() {
    return engines;
  }

  public ModelCatalog models() {
    return models;
  }

  public ModelEvents events() {
    return events;
  }

  public JobSettings settings() {
    return settings;
  }

  /** The service's database, for features that keep their own rows in it (resumable uploads). */
  public Database database() {
    return db;
  }

  /**
   * The job whose TensorRT cells the matrix shows: the model's latest job with TensorRT cells, else its latest job
   * that measures (neither a quantization, an FP16 conversion nor a fix; {@link JobQueue#jobsForModel} lists newest first). A
   * reference run on its own is a job too; it must not hide what the last conversions measured (the reference row
   * reads {@link #latestReferenceCell}), and a quantization, an FP16 conversion or a fix measures nothing in the
   * matrix.
   */
  public Optional<Job> latestJob(String modelId) {
    List<Job> jobs = queue.jobsForModel(modelId);
    return jobs.stream()
        .filter(j -> j.cells().stream().anyMatch(c -> c.spec().kind() == CellKind.TRT_CONVERSION))
        .findFirst().or(() -> jobs.stream()
            .filter(j -> !only(j, CellKind.QUANTIZE) && !only(j, CellKind.FP16) && !isFix(j)).findFirst());
  }

  /** The model's newest ONNX Runtime reference cell, whichever job holds it. */
  public Optional<Cell> latestReferenceCell(String modelId) {
    return queue.latestCell(modelId, CellKind.ORT_REFERENCE);
  }

  /** The model's fix jobs, newest first. */
  public List<Job> fixJobs(String modelId) {
    return queue.jobsForModel(modelId).stream().filter(JobService::isFix).toList();
  }

  /** A fix job has exactly its one fix cell. */
  public static boolean isFix(Job job) {
    return only(job, CellKind.FIX);
  }

  /** Every job of the model, oldest first: the order the API lists them in. */
  public List<Job> jobsOldestFirst(String modelId) {
    List<Job> jobs = new ArrayList<>(queue.jobsForModel(modelId));
    Collections.reverse(jobs);
    return jobs;
  }

  /** A cell's current log file (absent before the first claim). */
  public Optional<Path> logFile(Cell cell) {
    return cell.logPath() == null ? Optional.empty() : Optional.of(queue.logs().file(cell));
  }

  /** Deletes a model's rows, engines and logs (refused while a cell of it runs). */
  public void deleteModel(String modelId) {
    if (models.find(modelId).isPresent()) {
      models.delete(modelId);
    }
  }

  /** Re-queues running cells (graceful stop), stops the event feed, closes Docker and the database. */
  @Override
  public void close() {
    try {
      if (runner != null) {
        runner.close();
      }
    } finally {
      try {
        events.close();
      } finally {
        try {
          docker.close();
        } finally {
          db.close();
        }
      }
    }
  }
}
