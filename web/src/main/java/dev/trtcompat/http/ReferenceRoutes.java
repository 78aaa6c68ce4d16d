package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.service.JobService;
import dev.trtcompat.service.JobSpec;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The ONNX Runtime reference run of a stored model, as its own routes: starting one submits a job with only the
 * reference cell, and the state is that of the model's newest reference cell. The job queue serializes the runs,
 * keeps them across restarts and lets every instance sharing the database see them.
 */
final class ReferenceRoutes {

  /** The optional body of {@code POST /api/v1/models/{id}/reference}. */
  record RunOptions(Map<String, long[]> shapes, Integer runs, Integer warmup) {}

  private final JobService jobs;
  private final ModelStore store;
  private final Function<Context, String> clientId;

  ReferenceRoutes(JobService jobs, ModelStore store, Function<Context, String> clientId) {
    this.jobs = jobs;
    this.store = store;
    this.clientId = clientId;
  }

  /** {@code POST /api/v1/models/{id}/reference}: 202 with the status URL in {@code Location}. */
  void start(Context ctx) throws IOException {
    String id = ctx.pathParam("id");
    RunOptions options = options(ctx);
    submit(ctx, id, options);
    String status = statusUrl(id);
    ctx.header("Location", status);
    Responses.json(ctx, 202, Map.of("state", view(id).state(), "status", status));
  }

  /** {@code POST /models/{id}/reference}: the page's button, without script; back to the page. */
  void startForm(Context ctx) throws IOException {
    String id = ctx.pathParam("id");
    try {
      submit(ctx, id, new RunOptions(null, null, null));
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
    String id = ctx.pathParam("id");
    model(id);
    Responses.json(ctx, 200, view(id));
  }

  /** The model's reference run as the matrix report's row. */
  MatrixReport.Reference matrixReference(String id) {
    return view(id).matrixRow();
  }

  private ReferenceView view(String id) {
    return ReferenceView.of(jobs.latestReferenceCell(id));
  }

  /**
   * One reference run per model at a time: the check and the submission are one step on this instance (another
   * instance submitting in the same instant could still add a second run; both then run, one after the other).
   */
  private synchronized Job submit(Context ctx, String id, RunOptions o) throws IOException {
    StoredModel model = model(id);
    JobSpec spec = JobSpec.referenceOnly(o.shapes() == null ? Map.of() : o.shapes(), o.runs(), o.warmup());
    Optional<Cell> current = jobs.latestReferenceCell(id);
    if (current.isPresent() && current.get().state().unfinished()) {
      throw new UserFacingException(Kind.CONFLICT, "reference_run_in_progress",
          "a reference run of this model is already " + ReferenceView.of(current).state() + "; poll GET "
              + statusUrl(id));
    }
    return jobs.submit(model.id(), model.fileName(), model.bytes(), spec, clientId.apply(ctx));
  }

  private StoredModel model(String id) throws IOException {
    return store.find(id).orElseThrow(() -> ModelApi.notFound(id));
  }

  private static String statusUrl(String id) {
    return WebServer.API + "/models/" + id + "/reference";
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
}
