package dev.trtcompat.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceResult;
import dev.trtcompat.reference.ReferenceRunner;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime CPU reference runs of stored models, in the background on one worker the server owns.
 *
 * <p>One worker because a run uses every core by default (ONNX Runtime's intra-op threads), so two at once
 * only make both timings wrong; the queue is bounded so that a burst of requests is refused (503) rather than
 * held in memory. One run at a time per model: a second request while one is queued or running is a 409.
 * States are written to {@code derived/reference.json} beside the model on every change, so a finished run
 * survives a restart; a run that was in flight when the server stopped reads back as failed.
 */
final class ReferenceRuns implements AutoCloseable {

  static final int QUEUE_CAPACITY = 8;
  static final String STATE_FILE = "reference.json";
  static final String OUTPUT_DIR = "reference";

  private static final Logger LOG = LoggerFactory.getLogger(ReferenceRuns.class);

  /** The optional body of {@code POST /api/v1/models/{id}/reference}. */
  record RunOptions(Map<String, long[]> shapes, Integer runs, Integer warmup) {}

  private final ModelStore store;
  private final Duration stopTimeout;
  private final ObjectMapper json = Json.mapper();
  private final Map<String, ReferenceState> states = new ConcurrentHashMap<>();
  /** The state file as last read, by its modification time: pages ask on every view. */
  private record Loaded(FileTime mtime, ReferenceState state) {}
  private final Map<String, Loaded> loaded = new ConcurrentHashMap<>();
  private final ThreadPoolExecutor worker;
  /** ONNX Runtime uses every core: background runs and job cells take turns, one run at a time. */
  private final Object cellRuns = new Object();

  ReferenceRuns(ModelStore store, Duration stopTimeout) {
    this.store = store;
    this.stopTimeout = stopTimeout;
    AtomicInteger n = new AtomicInteger();
    this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
      Thread t = new Thread(r, "reference-run-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** {@code POST /api/v1/models/{id}/reference}: 202 with the status URL in {@code Location}. */
  void start(Context ctx) throws IOException {
    String id = ctx.pathParam("id");
    ReferenceState s = submit(id, options(ctx));
    String status = WebServer.API + "/models/" + id + "/reference";
    ctx.header("Location", status);
    Responses.json(ctx, 202, Map.of("state", s.state(), "status", status));
  }

  /** {@code POST /models/{id}/reference}: the page's button, without script; back to the page. */
  void startForm(Context ctx) throws IOException {
    String id = ctx.pathParam("id");
    try {
      submit(id, new RunOptions(null, null, null));
    } catch (UserFacingException e) {
      if (e.kind() != Kind.CONFLICT) {
        throw e;
      }
      // Already queued or running: the page shows that.
    }
    ctx.redirect("/models/" + id + "#compatibility", HttpStatus.SEE_OTHER);
  }

  /** {@code GET /api/v1/models/{id}/reference}. */
  void get(Context ctx) throws IOException {
    Responses.json(ctx, 200, state(ctx.pathParam("id")));
  }

  /** Changes whenever the model's reference state does: part of the token rendered views are cached against. */
  String token(String id) throws IOException {
    ReferenceState s = state(id);
    // "none" is made afresh (with the current time) on every read: it has no time of its own.
    return ReferenceState.NONE.equals(s.state()) ? s.state() : s.state() + "@" + s.updatedAt();
  }

  /** Drops what is remembered of a deleted model. */
  void forget(String id) {
    states.remove(id);
    loaded.remove(id);
  }

  /** The state as the matrix report's reference row. */
  MatrixReport.Reference matrixReference(String id) {
    ReferenceState s;
    try {
      s = state(id);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode r = s.result() == null ? MissingNode.getInstance() : s.result();
    JsonNode l = r.path("latencyMs");
    return new MatrixReport.Reference(s.state(),
        l.path("median").isNumber() ? l.path("median").asDouble() : null,
        l.path("p99").isNumber() ? l.path("p99").asDouble() : null,
        r.path("throughputPerSec").isNumber() ? r.path("throughputPerSec").asDouble() : null,
        r.path("threads").isInt() ? r.path("threads").asInt() : null,
        r.path("onnxruntimeVersion").isTextual() ? r.path("onnxruntimeVersion").asText() : null,
        r.path("runs").isInt() ? r.path("runs").asInt() : null, s.error(), s.updatedAt());
  }

  /** The current state: in memory while this server knows it, else read back from the model's folder. */
  ReferenceState state(String id) throws IOException {
    Path dir = store.derivedDir(id).orElseThrow(() -> ModelApi.notFound(id));
    ReferenceState known = states.get(id);
    if (known != null) {
      return known;
    }
    Path file = dir.resolve(STATE_FILE);
    FileTime mtime;
    try {
      mtime = Files.getLastModifiedTime(file);
    } catch (NoSuchFileException e) {
      return ReferenceState.of(ReferenceState.NONE);
    }
    // Read again only when the file changed (another instance sharing the folder may have written it).
    Loaded hit = loaded.get(id);
    if (hit != null && hit.mtime().equals(mtime)) {
      return hit.state();
    }
    ReferenceState saved = json.readValue(file.toFile(), ReferenceState.class);
    if (saved.inFlight()) {
      // Written by a server that stopped before the run ended.
      saved = new ReferenceState(ReferenceState.FAILED, null, "the server stopped before the run finished; run it again", saved.updatedAt());
    }
    loaded.put(id, new Loaded(mtime, saved));
    return saved;
  }

  private ReferenceState submit(String id, RunOptions options) throws IOException {
    Path model = store.modelFile(id).orElseThrow(() -> ModelApi.notFound(id));
    Path dir = store.derivedDir(id).orElseThrow(() -> ModelApi.notFound(id));
    ReferenceRequest request = request(model, dir.resolve(OUTPUT_DIR), options);
    ReferenceState queued = ReferenceState.of(ReferenceState.QUEUED);
    synchronized (states) {
      ReferenceState current = state(id);
      if (current != null && current.inFlight()) {
        throw new UserFacingException(Kind.CONFLICT, "reference_run_in_progress",
            "a reference run of this model is already " + current.state() + "; poll GET " + WebServer.API + "/models/" + id + "/reference");
      }
      // Recorded before the worker can see it, so a fast run's end state is never overwritten by "queued".
      record(id, dir, queued);
      try {
        worker.execute(() -> {
          synchronized (cellRuns) {
            run(id, dir, request);
          }
        });
      } catch (RejectedExecutionException e) {
        record(id, dir, current);
        throw new UserFacingException(Kind.UNAVAILABLE, "reference_queue_full",
            "the server is already running " + QUEUE_CAPACITY + " reference runs; try again when they have finished");
      }
    }
    return queued;
  }

  private static ReferenceRequest request(Path model, Path outDir, RunOptions o) {
    ReferenceRequest r = ReferenceRequest.of(model).withOutDir(outDir);
    if (o.shapes() != null && !o.shapes().isEmpty()) {
      r = r.withShapes(new InputShapes(o.shapes()));
    }
    if (o.runs() != null) {
      r = r.withRuns(o.runs());
    }
    if (o.warmup() != null) {
      r = r.withWarmup(o.warmup());
    }
    return r;
  }

  /**
   * Runs the reference as a job's cell, on the calling (job worker) thread, one run at a time with the
   * background runs; the page's reference row shows it like any other run.
   */
  CellResult runCell(String id, Map<String, long[]> shapes, CellLog log)
      throws IOException {
    Path model = store.modelFile(id).orElseThrow(() -> ModelApi.notFound(id));
    Path dir = store.derivedDir(id).orElseThrow(() -> ModelApi.notFound(id));
    ReferenceRequest request = request(model, dir.resolve(OUTPUT_DIR), new RunOptions(shapes, null, null));
    log.line("ONNX Runtime CPU reference run of " + id);
    ReferenceState end;
    synchronized (cellRuns) {
      end = run(id, dir, request);
    }
    if (ReferenceState.SUCCEEDED.equals(end.state())) {
      log.line("finished: " + end.result().path("latencyMs").toString());
      return CellResult.succeeded(json.writeValueAsString(end.result()));
    }
    log.line("failed: " + end.error());
    return CellResult.failed(end.error(), null);
  }

  private ReferenceState run(String id, Path dir, ReferenceRequest request) {
    record(id, dir, ReferenceState.of(ReferenceState.RUNNING));
    ReferenceState end;
    try {
      ReferenceResult result = new ReferenceRunner().run(request);
      ObjectNode tree = json.valueToTree(result);
      // A path inside the server's data folder: of no use to a client, and not theirs to know.
      tree.remove("referenceDir");
      end = new ReferenceState(ReferenceState.SUCCEEDED, tree, null, Instant.now().toString());
    } catch (UserFacingException e) {
      LOG.info("reference run of {} failed: {}", id, e.detail());
      end = new ReferenceState(ReferenceState.FAILED, null, e.detail(), Instant.now().toString());
    } catch (RuntimeException | LinkageError e) {
      // A native or unexpected failure ends this run only; the worker and the server go on.
      LOG.warn("reference run of {} failed", id, e);
      end = new ReferenceState(ReferenceState.FAILED, null,
          "ONNX Runtime failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), Instant.now().toString());
    }
    record(id, dir, end);
    return end;
  }

  private void record(String id, Path dir, ReferenceState s) {
    states.put(id, s);
    try {
      Path file = dir.resolve(STATE_FILE);
      Path part = dir.resolve(STATE_FILE + ".part");
      json.writeValue(part.toFile(), s);
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // The state stays right in memory; only a restart would lose it.
      LOG.warn("cannot write the reference state of {}", id, e);
    }
  }

  private static RunOptions options(Context ctx) {
    try {
      return JsonBodies.read(ctx, RunOptions.class, () -> new RunOptions(null, null, null));
    } catch (UserFacingException e) {
      if (!"invalid_body".equals(e.error())) {
        throw e;
      }
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_reference_request",
          "the body must be JSON like {\"shapes\": {\"input\": [1,3,224,224]}, \"runs\": 20, \"warmup\": 3}: "
              + e.detail(), e);
    }
  }

  /**
   * Stops taking runs and drops the queued ones (their saved state reads back as failed), lets the current one
   * finish within the stop timeout, then interrupts it.
   */
  @Override
  public void close() {
    worker.getQueue().clear();
    worker.shutdown();
    try {
      if (!worker.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
