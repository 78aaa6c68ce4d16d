package dev.trtcompat.matrix;

import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.GpuFilter;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.html.Html;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.precision.Gpu;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * The matrix report's routes: {@code GET /api/v1/models/{id}/matrix} (JSON), {@code .../matrix.csv} and the
 * page fragment {@code GET /models/{id}/matrix}; and the compatibility section body the model page renders.
 * Each takes {@code ?gpu=sm_89} (or {@code 8.9}, or a GPU name) to filter the predictions for one GPU.
 */
public final class MatrixApi {

  /** Same policy as every page: only this server's own script and style. */
  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
          + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private final ModelStore store;
  private final Function<String, CompatibilityReport> staticCheck;
  private final Function<String, Optional<Job>> latestJob;
  private final Function<String, MatrixReport.Reference> reference;
  private final TensorRtImageCatalog images;
  private final GpuFilter gpuFilter = GpuFilter.bundled();

  /**
   * @param staticCheck the checker's report over every knowledge-base release for a model id (throws
   *     NOT_FOUND for an unknown id)
   * @param latestJob the model's latest job, empty when it has none
   * @param reference the model's ONNX Runtime reference state; may return null when there is none
   */
  public MatrixApi(ModelStore store, Function<String, CompatibilityReport> staticCheck,
      Function<String, Optional<Job>> latestJob, Function<String, MatrixReport.Reference> reference,
      TensorRtImageCatalog images) {
    this.store = store;
    this.staticCheck = staticCheck;
    this.latestJob = latestJob;
    this.reference = reference;
    this.images = images;
  }

  /** The report for a stored model, for any GPU; NOT_FOUND for an unknown id. */
  public MatrixReport report(String modelId) {
    return report(modelId, null);
  }

  /**
   * The report for a stored model filtered for a GPU ({@code sm_89}, {@code 8.9}, {@code L4}; null or blank for
   * any GPU); NOT_FOUND for an unknown id, BAD_REQUEST naming the accepted forms for an unknown GPU.
   */
  public MatrixReport report(String modelId, String gpu) {
    StoredModel model = model(modelId);
    CompatibilityReport check = filtered(staticCheck.apply(modelId), gpu(gpu));
    return MatrixAssembly.assemble(modelId, model.fileName(), check, latestJob.apply(modelId), images,
        reference.apply(modelId));
  }

  /** Reads a GPU choice; null for none. */
  Gpu gpu(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return gpuFilter.resolve(text);
    } catch (IllegalArgumentException e) {
      throw new UserFacingException(Kind.BAD_REQUEST, "unknown_gpu", e.getMessage());
    }
  }

  private CompatibilityReport filtered(CompatibilityReport check, Gpu gpu) {
    return gpu == null ? check : gpuFilter.apply(check, gpu);
  }

  /** {@code GET /api/v1/models/{id}/matrix[?gpu=sm_89]}. */
  public void json(Context ctx) {
    MatrixReport r = report(ctx.pathParam("id"), ctx.queryParam("gpu"));
    try {
      ctx.status(200).contentType("application/json; charset=utf-8").header("X-Content-Type-Options", "nosniff")
          .result(Json.pretty().writeValueAsBytes(r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code GET /api/v1/models/{id}/matrix.csv}: an attachment named after the uploaded file. */
  public void csv(Context ctx) {
    MatrixReport r = report(ctx.pathParam("id"), ctx.queryParam("gpu"));
    ctx.status(200).contentType("text/csv; charset=utf-8; header=present").header("X-Content-Type-Options", "nosniff")
        .header("Content-Disposition", "attachment; filename=\"" + csvName(r.fileName()) + "\"")
        .result(MatrixCsv.write(r).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code GET /models/{id}/matrix}: the compatibility section's inner HTML, for the page's live re-render. */
  public void fragment(Context ctx) {
    Html h = new Html();
    renderSection(h, ctx.pathParam("id"), ctx.queryParam("gpu"));
    ctx.status(200).contentType("text/html; charset=utf-8").header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-store").result(h.toString());
  }

  /** The model page's compatibility section body (the same markup as the fragment), for any GPU. */
  public void renderSection(Html h, String modelId) {
    renderSection(h, modelId, null);
  }

  /**
   * The section body filtered for a GPU choice; an unknown GPU is said above the unfiltered matrix rather than
   * failing the whole page.
   */
  public void renderSection(Html h, String modelId, String gpuText) {
    renderSection(h, modelId, gpuText, FindingsView.FIRST);
  }

  /** The section body for a GPU choice, with the findings tables showing {@code findings}. */
  public void renderSection(Html h, String modelId, String gpuText, FindingsView findings) {
    Gpu gpu = null;
    String problem = null;
    try {
      gpu = gpu(gpuText);
    } catch (UserFacingException e) {
      problem = e.detail();
    }
    CompatibilityReport check = filtered(staticCheck.apply(modelId), gpu);
    MatrixReport r = MatrixAssembly.assemble(modelId, model(modelId).fileName(), check, latestJob.apply(modelId),
        images, reference.apply(modelId));
    MatrixSection.render(h, r, check, gpuFilter.facts().gpus(), gpuText, problem, findings);
  }

  private StoredModel model(String id) {
    try {
      return store.find(id).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "model_not_found",
          "no model has the id '" + (id.length() > 80 ? id.substring(0, 80) + "…" : id)
              + "'; ids are the 64 hex digits returned by POST /api/v1/models"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A header-safe file name: letters, digits, dot, dash and underscore from the upload's name. */
  static String csvName(String fileName) {
    String base = fileName == null ? "model" : fileName.replaceAll("(?i)\\.onnx$", "");
    String safe = base.replaceAll("[^A-Za-z0-9._-]", "_");
    if (safe.isEmpty() || safe.chars().allMatch(c -> c == '_' || c == '.')) {
      safe = "model";
    }
    return (safe.length() > 80 ? safe.substring(0, 80) : safe) + "-matrix.csv";
  }
}
