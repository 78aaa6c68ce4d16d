package dev.trtcompat.matrix;

import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.html.Html;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;

/**
 * The matrix report's routes: {@code GET /api/v1/models/{id}/matrix} (JSON), {@code .../matrix.csv} and the
 * page fragment {@code GET /models/{id}/matrix}; and the compatibility section body the model page renders.
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

  /** The report for a stored model; NOT_FOUND for an unknown id. */
  public MatrixReport report(String modelId) {
    StoredModel model = model(modelId);
    CompatibilityReport check = staticCheck.apply(modelId);
    return MatrixAssembly.assemble(modelId, model.fileName(), check, latestJob.apply(modelId), images,
        reference.apply(modelId));
  }

  /** {@code GET /api/v1/models/{id}/matrix}. */
  public void json(Context ctx) {
    MatrixReport r = report(ctx.pathParam("id"));
    try {
      ctx.status(200).contentType("application/json; charset=utf-8").header("X-Content-Type-Options", "nosniff")
          .result(Json.pretty().writeValueAsBytes(r));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code GET /api/v1/models/{id}/matrix.csv}: an attachment named after the uploaded file. */
  public void csv(Context ctx) {
    MatrixReport r = report(ctx.pathParam("id"));
    ctx.status(200).contentType("text/csv; charset=utf-8; header=present").header("X-Content-Type-Options", "nosniff")
        .header("Content-Disposition", "attachment; filename=\"" + csvName(r.fileName()) + "\"")
        .result(MatrixCsv.write(r).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code GET /models/{id}/matrix}: the compatibility section's inner HTML, for the page's live re-render. */
  public void fragment(Context ctx) {
    Html h = new Html();
    renderSection(h, ctx.pathParam("id"));
    ctx.status(200).contentType("text/html; charset=utf-8").header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-store").result(h.toString());
  }

  /** The model page's compatibility section body (the same markup as the fragment). */
  public void renderSection(Html h, String modelId) {
    CompatibilityReport check = staticCheck.apply(modelId);
    MatrixReport r = MatrixAssembly.assemble(modelId, model(modelId).fileName(), check, latestJob.apply(modelId),
        images, reference.apply(modelId));
    MatrixSection.render(h, r, check);
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
