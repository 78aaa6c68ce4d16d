package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoredFile;
import dev.trtcompat.models.StoredModel;
import io.javalin.http.Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Downloads of a stored model's files (uploaded, quantized or fixed alike): {@code model.onnx} under the name it
 * was stored with, or one of its external-data files. One handler, so every download carries the same headers.
 */
public final class ModelDownloads {

  private final ModelStore store;

  public ModelDownloads(ModelStore store) {
    this.store = store;
  }

  /** {@code GET /api/v1/models/{id}/files/{name}}: {@code model.onnx} or one of the model's external-data files. */
  public void file(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    String name = ctx.pathParam("name");
    Path modelFile = store.modelFile(model.id()).orElseThrow(() -> ModelApi.notFound(model.id()));
    if (name.equals(StagedUpload.MODEL_FILE)) {
      send(ctx, model, modelFile, model.fileName());
    } else if (model.externalFiles().stream().map(StoredFile::name).anyMatch(name::equals)) {
      send(ctx, model, modelFile.resolveSibling(name), name);
    } else {
      throw new UserFacingException(Kind.NOT_FOUND, "file_not_found", "the model has no file named '"
          + (name.length() > 80 ? name.substring(0, 80) + "..." : name) + "'; its files are model.onnx"
          + (model.externalFiles().isEmpty() ? "" : " and its external-data files"));
    }
  }

  /**
   * {@code GET /api/v1/models/{id}/file}: the model as one file; 409 for a model with external data, whose
   * {@code .onnx} alone would be incomplete (its files are under {@code files/{name}}).
   */
  public void model(Context ctx) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    if (!model.externalFiles().isEmpty()) {
      throw new UserFacingException(Kind.CONFLICT, "external_data",
          "the model keeps weights in " + model.externalFiles().size() + " external file(s); download model.onnx"
              + " and each of them from /files/{name} (the .onnx alone would be incomplete)");
    }
    send(ctx, model, store.modelFile(model.id()).orElseThrow(() -> ModelApi.notFound(model.id())), model.fileName());
  }

  /** A file name that cannot break the header: ASCII letters, digits, dot, plus, dash and underscore. */
  static String safeName(String name) {
    String s = name.replaceAll("[^A-Za-z0-9._+-]", "_");
    return s.isEmpty() || s.startsWith(".") ? "model" + s : s;
  }

  private StoredModel model(String id) throws IOException {
    return store.find(id).orElseThrow(() -> ModelApi.notFound(id));
  }

  private static void send(Context ctx, StoredModel model, Path file, String downloadName) throws IOException {
    ctx.status(200).contentType("application/octet-stream")
        .header("Content-Disposition", "attachment; filename=\"" + safeName(downloadName) + "\"")
        .header("X-Model-Sha256", model.sha256())
        .header("X-Content-Type-Options", "nosniff")
        .header("Content-Length", Long.toString(Files.size(file)));
    ctx.result(Files.newInputStream(file));
  }
}
