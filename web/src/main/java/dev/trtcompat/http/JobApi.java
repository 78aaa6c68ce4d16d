package dev.trtcompat.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.catalog.EngineBuild;
import dev.trtcompat.catalog.EngineRecord;
import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellEvent;
import dev.trtcompat.jobs.CellKind;
import dev.trtcompat.jobs.CellState;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.service.JobService;
import dev.trtcompat.service.JobSpec;
import dev.trtcompat.service.ModelEvents;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job routes: start a job for a stored model (TensorRT releases x precisions plus the ONNX Runtime
 * reference), follow it (JSON, server-sent events), cancel and retry jobs and cells, read cell logs, download
 * engines, delete models. Everything reads the durable queue, so it answers the same after a restart and on
 * every instance sharing the database.
 */
final class JobApi implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobApi.class);
  /** Log lines a slow browser may have pending before further lines are dropped (state events never are). */
  static final int MAX_PENDING_LINES = 2000;
  static final long MAX_LOG_CHUNK = 4L << 20;

  private final JobService jobs;
  private final ModelStore store;
  private final Function<Context, String> clientId;
  private final java.util.function.Consumer<String> onModelDeleted;
  private final ExecutorService senders = Executors.newFixedThreadPool(2, r -> daemon(r, "trt-compat-sse"));
  private final ScheduledExecutorService pings = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "trt-compat-sse-ping"));
  private final List<Stream> streams = new java.util.concurrent.CopyOnWriteArrayList<>();

  JobApi(JobService jobs, ModelStore store, Function<Context, String> clientId,
      java.util.function.Consumer<String> onModelDeleted) {
    this.jobs = jobs;
    this.store = store;
    this.clientId = clientId;
    this.onModelDeleted = onModelDeleted;
    // A comment every 15 s keeps idle connections open through proxies and finds closed ones.
    pings.scheduleWithFixedDelay(() -> streams.forEach(s -> s.offer(new Out(null, null, true))), 15, 15, TimeUnit.SECONDS);
  }

  // ---- starting jobs

  /** {@code POST /api/v1/models/{id}/jobs}: 202 with the job. */
  void start(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    JobSpec.Request request = JsonBodies.read(ctx, JobSpec.Request.class,
        () -> new JobSpec.Request(null, null, null, null, null, null, null));
    Job job = submit(ctx, model, request.toSpec());
    ctx.header("Location", WebServer.API + "/jobs/" + job.id());
    Responses.json(ctx, 202, view(job));
  }

  /** {@code POST /models/{id}/jobs}: the page's form; back to the matrix. */
  void startForm(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    List<String> ref = ctx.formParams("reference");
    submit(ctx, model, JobSpec.fromForm(ctx.formParams("trt"), ctx.formParams("precision"),
        ref.isEmpty() || !"off".equals(ref.get(ref.size() - 1)), ctx.formParam("shapes"), ctx.formParam("timeout")));
    ctx.redirect("/models/" + model.id() + "#compatibility", HttpStatus.SEE_OTHER);
  }

  /** Starts the job an upload asked for with its {@code trt}/{@code precision} fields, if it asked for one. */
  Optional<Job> startFromUpload(Context ctx, UploadReceiver.Received r) {
    StoredModel m = r.stored().model();
    jobs.registerModel(m.id(), m.fileName(), m.bytes());
    if (r.values("trt").isEmpty()) {
      return Optional.empty();
    }
    List<String> ref = r.values("reference");
    return Optional.of(submit(ctx, m, JobSpec.fromForm(r.values("trt"), r.values("precision"),
        ref.isEmpty() || !"off".equals(ref.get(ref.size() - 1)), last(r.values("shapes")), last(r.values("timeout")))));
  }

  private static String last(List<String> values) {
    return values.isEmpty() ? null : values.get(values.size() - 1);
  }

  private Job submit(Context ctx, StoredModel model, JobSpec spec) {
    return jobs.submit(model.id(), model.fileName(), model.bytes(), spec, clientId.apply(ctx));
  }

  // ---- reading

  /** {@code GET /api/v1/jobs/{id}}. */
  void get(Context ctx) {
    Responses.json(ctx, 200, view(job(ctx)));
  }

  /** {@code GET /api/v1/models/{id}/jobs}: oldest first. */
  void forModel(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    List<Map<String, Object>> out = new ArrayList<>();
    for (Job j : jobs.jobsOldestFirst(model.id())) {
      out.add(view(j));
    }
    Responses.json(ctx, 200, Map.of("jobs", out));
  }

  /** {@code GET /api/v1/cells/{id}}. */
  void cell(Context ctx) {
    Responses.json(ctx, 200, cellView(cellOf(ctx)));
  }

  /**
   * {@code GET /api/v1/cells/{id}/log[?offset=N]}: the current attempt's log from byte N (at most 4 MiB per
   * answer); {@code X-Log-Next-Offset} says where to continue, {@code X-Log-Complete} whether the cell has ended.
   */
  void log(Context ctx) throws IOException {
    Cell cell = cellOf(ctx);
    long offset = longParam(ctx, "offset", 0);
    Optional<Path> file = jobs.logFile(cell);
    boolean complete = !cell.state().unfinished();
    ctx.contentType("text/plain; charset=utf-8").header("X-Content-Type-Options", "nosniff")
        .header("X-Log-Complete", Boolean.toString(complete));
    if (file.isEmpty()) {
      ctx.header("X-Log-Next-Offset", "0").status(200).result("");
      return;
    }
    // At most MAX_LOG_CHUNK bytes per answer: read them at once (a log still growing is read up to its size now).
    try (FileChannel ch = FileChannel.open(file.get(), StandardOpenOption.READ)) {
      long from = Math.min(offset, ch.size());
      java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate((int) Math.min(ch.size() - from, MAX_LOG_CHUNK));
      while (chunk.hasRemaining() && ch.read(chunk, from + chunk.position()) > 0) {
        // keep reading until the chunk is full
      }
      ctx.header("X-Log-Next-Offset", Long.toString(from + chunk.position())).status(200)
          .result(java.util.Arrays.copyOf(chunk.array(), chunk.position()));
    } catch (NoSuchFileException e) {
      ctx.header("X-Log-Next-Offset", "0").status(200).result("");
    }
  }

  /** {@code GET /api/v1/engines/{sha256}}: the engine file, named after model, TensorRT, precision and GPU. */
  void engine(Context ctx) throws IOException {
    String sha = ctx.pathParam("sha256");
    if (!sha.matches("[0-9a-f]{64}")) {
      throw new UserFacingException(Kind.NOT_FOUND, "engine_not_found", "Engine ids are 64 lower-case hex digits.");
    }
    EngineRecord record = jobs.engines().require(sha);
    Path file = jobs.engines().download(sha);
    EngineBuild b = record.build();
    String name = EngineArtifact.fileName(b.modelSha256(), b.trtRelease(),
        b.precision().name().toLowerCase(java.util.Locale.ROOT), b.gpu(), null);
    ctx.status(200).contentType("application/octet-stream")
        .header("Content-Disposition", "attachment; filename=\"" + name + "\"")
        .header("X-Engine-Sha256", sha)
        .header("Content-Length", Long.toString(Files.size(file)))
        .header("X-Engine-Validity", EngineArtifact.validity(b.trtRelease(), b.gpu(), null));
    ctx.result(Files.newInputStream(file));
  }

  // ---- cancel, retry, delete

  void cancelJob(Context ctx) {
    Responses.json(ctx, 200, view(jobs.queue().cancelJob(job(ctx).id())));
  }

  void retryJob(Context ctx) {
    Responses.json(ctx, 200, view(jobs.queue().retryJob(job(ctx).id())));
  }

  void cancelCell(Context ctx) {
    Responses.json(ctx, 200, cellView(jobs.queue().cancelCell(cellOf(ctx).id())));
  }

  void retryCell(Context ctx) {
    boolean force = "true".equals(ctx.queryParam("force")) || "true".equals(formOrNull(ctx, "force"));
    Responses.json(ctx, 200, cellView(jobs.queue().retryCell(cellOf(ctx).id(), force)));
  }

  /** The page's cancel and retry buttons: do it, then back to the matrix. */
  void cellForm(Context ctx, boolean cancel) {
    Cell cell = cellOf(ctx);
    if (cancel) {
      jobs.queue().cancelCell(cell.id());
    } else {
      jobs.queue().retryCell(cell.id(), "true".equals(ctx.formParam("force")));
    }
    String model = jobs.queue().requireJob(cell.jobId()).modelSha256();
    ctx.redirect("/models/" + model + "#compatibility", HttpStatus.SEE_OTHER);
  }

  /** {@code DELETE /api/v1/models/{id}}: rows, engines, logs and files; 409 while a cell of it runs. */
  void deleteModel(Context ctx) throws IOException {
    delete(ctx.pathParam("id"));
    ctx.status(204);
  }

  void deleteModelForm(Context ctx) throws IOException {
    delete(ctx.pathParam("id"));
    ctx.redirect("/", HttpStatus.SEE_OTHER);
  }

  private void delete(String id) throws IOException {
    StoredModel model = model(id);
    for (Job j : jobs.queue().jobsForModel(model.id())) {
      if (j.unfinished()) {
        jobs.queue().cancelJob(j.id());
      }
    }
    jobs.deleteModel(model.id());
    store.delete(model.id());
    onModelDeleted.accept(model.id());
  }

  // ---- live events

  /** {@code GET /api/v1/models/{id}/events}: server-sent events for the model's jobs (see docs/web.md). */
  SseHandler events() {
    return new SseHandler(client -> {
      String id = client.ctx().pathParam("id");
      try {
        model(id);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Stream s = new Stream(client);
      streams.add(s);
      Runnable unsubscribe = jobs.events().subscribe(id, s);
      client.onClose(() -> {
        unsubscribe.run();
        streams.remove(s);
      });
      client.sendComment("trt-compat events for model " + id);
      client.keepAlive();
    });
  }

  /** One event to write: a named event with JSON data, or a keep-alive comment. */
  private record Out(String event, String data, boolean ping) {}

  /** One browser's connection: events queue here and one sender thread at a time writes them out. */
  private final class Stream implements ModelEvents.Subscriber {
    private final SseClient client;
    private final ArrayDeque<Out> pending = new ArrayDeque<>();
    private int pendingLines;
    private boolean scheduled;

    Stream(SseClient client) {
      this.client = client;
    }

    @Override
    public void cell(CellEvent e) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("eventId", e.id());
      m.put("jobId", e.jobId());
      m.put("cellId", e.cellId());
      m.put("from", e.from() == null ? null : e.from().name());
      m.put("to", e.to().name());
      m.put("reason", e.reason());
      m.put("at", e.at().toString());
      offer(new Out("cell", json(m), false));
    }

    @Override
    public void log(long jobId, long cellId, String line) {
      offer(new Out("log", json(Map.of("jobId", jobId, "cellId", cellId, "line", line)), false));
    }

    void offer(Out out) {
      synchronized (this) {
        if ("log".equals(out.event())) {
          if (pendingLines >= MAX_PENDING_LINES) {
            return; // the full log stays readable at /api/v1/cells/{id}/log
          }
          pendingLines++;
        }
        pending.add(out);
        if (scheduled) {
          return;
        }
        scheduled = true;
      }
      try {
        senders.execute(this::drain);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // shutting down
      }
    }

    private void drain() {
      while (true) {
        Out out;
        synchronized (this) {
          out = pending.poll();
          if (out == null) {
            scheduled = false;
            return;
          }
          if ("log".equals(out.event())) {
            pendingLines--;
          }
        }
        if (client.terminated()) {
          continue;
        }
        try {
          if (out.ping()) {
            client.sendComment("ping");
          } else {
            client.sendEvent(out.event(), out.data());
          }
        } catch (RuntimeException e) {
          LOG.debug("event stream closed: {}", e.toString());
        }
      }
    }
  }

  // ---- views

  Map<String, Object> view(Job job) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", job.id());
    m.put("modelId", job.modelSha256());
    m.put("state", job.unfinished() ? (job.cells().stream().anyMatch(c -> c.state() == CellState.RUNNING) ? "running" : "queued") : "finished");
    m.put("createdAt", job.createdAt().toString());
    m.put("request", readTree(job.requestJson()));
    List<Map<String, Object>> cells = new ArrayList<>();
    for (Cell c : job.cells()) {
      cells.add(cellView(c));
    }
    m.put("cells", cells);
    m.put("url", WebServer.API + "/jobs/" + job.id());
    m.put("eventsUrl", WebServer.API + "/models/" + job.modelSha256() + "/events");
    return m;
  }

  Map<String, Object> cellView(Cell c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.id());
    m.put("jobId", c.jobId());
    m.put("kind", c.spec().kind() == CellKind.ORT_REFERENCE ? "onnxruntime_reference" : "tensorrt");
    m.put("tensorrt", c.spec().trtRelease());
    m.put("precision", c.spec().precision() == null ? null : c.spec().precision().name().toLowerCase(java.util.Locale.ROOT));
    m.put("state", c.state().name().toLowerCase(java.util.Locale.ROOT));
    m.put("reason", c.reason());
    m.put("forced", c.forced());
    m.put("attempts", c.attempts());
    m.put("createdAt", c.createdAt() == null ? null : c.createdAt().toString());
    m.put("startedAt", c.startedAt() == null ? null : c.startedAt().toString());
    m.put("finishedAt", c.finishedAt() == null ? null : c.finishedAt().toString());
    JsonNode result = readTree(c.resultJson());
    m.put("result", result);
    String engine = result == null ? null : result.path("engine").path("sha256").asText(null);
    m.put("engineUrl", engine != null && jobs.engines().find(engine).isPresent() ? WebServer.API + "/engines/" + engine : null);
    m.put("logUrl", WebServer.API + "/cells/" + c.id() + "/log");
    return m;
  }

  // ---- helpers

  private StoredModel model(String id) throws IOException {
    return store.find(id).orElseThrow(() -> ModelApi.notFound(id));
  }

  private Job job(Context ctx) {
    long id = idParam(ctx, "id", "job");
    return jobs.queue().job(id).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "job_not_found",
        "No job has the id " + id + "; ids are returned by POST " + WebServer.API + "/models/{id}/jobs."));
  }

  private Cell cellOf(Context ctx) {
    long id = idParam(ctx, "id", "cell");
    return jobs.queue().cell(id).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "cell_not_found",
        "No cell has the id " + id + "; a job's cells are listed by GET " + WebServer.API + "/jobs/{id}."));
  }

  private static long idParam(Context ctx, String name, String what) {
    try {
      long v = Long.parseLong(ctx.pathParam(name));
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new UserFacingException(Kind.NOT_FOUND, what + "_not_found", "A " + what + " id is a positive whole number.");
  }

  private static long longParam(Context ctx, String name, long dflt) {
    String raw = ctx.queryParam(name);
    if (raw == null) {
      return dflt;
    }
    try {
      long v = Long.parseLong(raw);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new UserFacingException(Kind.BAD_REQUEST, "invalid_parameter", name + " must be a whole number from 0.");
  }

  private static String formOrNull(Context ctx, String name) {
    String type = ctx.contentType();
    return type != null && type.startsWith("application/x-www-form-urlencoded") ? ctx.formParam(name) : null;
  }

  private static JsonNode readTree(String json) {
    if (json == null) {
      return null;
    }
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      return null;
    }
  }

  private static String json(Object o) {
    try {
      return Json.mapper().writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    pings.shutdownNow();
    for (Stream s : streams) {
      try {
        s.client.close();
      } catch (RuntimeException e) {
        // already closed
      }
    }
    senders.shutdownNow();
  }
}
