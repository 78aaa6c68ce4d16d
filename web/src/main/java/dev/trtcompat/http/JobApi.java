package dev.trtcompat.http;

import dev.trtcompat.catalog.EngineBuild;
import dev.trtcompat.catalog.EngineRecord;
import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.http.JobViews.CellView;
import dev.trtcompat.http.JobViews.JobView;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.service.JobService;
import dev.trtcompat.service.JobSpec;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The job routes: start a job for a stored model (TensorRT releases x precisions plus the ONNX Runtime
 * reference), follow it (JSON; the event stream is {@link JobEventStream}), cancel and retry jobs and cells, read cell logs, download
 * engines, delete models. Everything reads the durable queue, so it answers the same after a restart and on
 * every instance sharing the database.
 */
final class JobApi {

  static final long MAX_LOG_CHUNK = 4L << 20;

  private final JobService jobs;
  private final ModelStore store;
  private final Function<Context, String> clientId;
  private final Consumer<String> onModelDeleted;

  JobApi(JobService jobs, ModelStore store, Function<Context, String> clientId,
      Consumer<String> onModelDeleted) {
    this.jobs = jobs;
    this.store = store;
    this.clientId = clientId;
    this.onModelDeleted = onModelDeleted;
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
    List<JobView> out = new ArrayList<>();
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
    long offset = ctx.queryParamAsClass("offset", Long.class).check(v -> v >= 0, "offset must be a whole number from 0")
        .getOrDefault(0L);
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
      ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(ch.size() - from, MAX_LOG_CHUNK));
      while (chunk.hasRemaining() && ch.read(chunk, from + chunk.position()) > 0) {
        // keep reading until the chunk is full
      }
      ctx.header("X-Log-Next-Offset", Long.toString(from + chunk.position())).status(200)
          .result(Arrays.copyOf(chunk.array(), chunk.position()));
    } catch (NoSuchFileException e) {
      ctx.header("X-Log-Next-Offset", "0").status(200).result("");
    }
  }

  /** {@code GET /api/v1/engines/{sha256}}: the engine file, named after model, TensorRT, precision and GPU. */
  void engine(Context ctx) throws IOException {
    String sha = ctx.pathParamAsClass("sha256", String.class).check(s -> s.matches("[0-9a-f]{64}"), "hex")
        .getOrThrow(errors -> new UserFacingException(Kind.NOT_FOUND, "engine_not_found",
            "Engine ids are 64 lower-case hex digits."));
    EngineRecord record = jobs.engines().require(sha);
    Path file = jobs.engines().download(sha);
    EngineBuild b = record.build();
    String name = EngineArtifact.fileName(b.modelSha256(), b.trtRelease(), b.precision().wireName(), b.gpu(), null);
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

  // ---- views

  /** One catalog query per job, not per cell: which of the model's engines are still stored. */
  JobView view(Job job) {
    Set<String> stored = new HashSet<>();
    for (EngineRecord e : jobs.engines().forModel(job.modelSha256())) {
      stored.add(e.sha256());
    }
    return JobViews.of(job, stored::contains);
  }

  /** One cell alone ({@code GET /api/v1/cells/{id}}): one catalog lookup for its engine. */
  CellView cellView(Cell c) {
    return JobViews.of(c, sha -> jobs.engines().find(sha).isPresent());
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

  /** A job or cell id: a positive whole number, or the thing it names does not exist (404, not 400). */
  private static long idParam(Context ctx, String name, String what) {
    return ctx.pathParamAsClass(name, Long.class).check(v -> v > 0, "positive")
        .getOrThrow(errors -> new UserFacingException(Kind.NOT_FOUND, what + "_not_found",
            "A " + what + " id is a positive whole number."));
  }

  private static String formOrNull(Context ctx, String name) {
    String type = ctx.contentType();
    return type != null && type.startsWith("application/x-www-form-urlencoded") ? ctx.formParam(name) : null;
  }

}
