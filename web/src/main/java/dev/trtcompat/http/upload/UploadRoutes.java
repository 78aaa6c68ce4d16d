package dev.trtcompat.http.upload;

import dev.trtcompat.http.JsonBodies;
import dev.trtcompat.http.Responses;
import dev.trtcompat.models.StoreResult;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resumable upload routes under {@code /api/v1/uploads}: declare, send chunks, ask how far it got, complete,
 * abort. Errors take the API's shape; a chunk past its file's declared size is {@code 416}.
 */
public final class UploadRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(UploadRoutes.class);
  /** Where the next chunk of a file starts, on every chunk answer and on an offset mismatch. */
  static final String UPLOAD_OFFSET = "Upload-Offset";

  private final ResumableUploads uploads;
  private final Function<Context, String> clientId;
  private final String api;

  /**
   * @param api the API's root ({@code /api/v1}); the routes live in its {@code uploads} group
   * @param clientId who is asking (token name, or remote address): an upload is visible to its client only
   */
  public UploadRoutes(ResumableUploads uploads, Function<Context, String> clientId, String api) {
    this.uploads = uploads;
    this.clientId = clientId;
    this.api = api;
  }

  /** {@code POST /api/v1/uploads}: 201 with the upload and {@code Location}. */
  public void create(Context ctx) throws IOException {
    ResumableUploads.Declaration d = JsonBodies.read(ctx.body().isBlank() ? "{}" : ctx.body(),
        ResumableUploads.Declaration.class);
    ResumableUploads.UploadView view = uploads.create(clientId.apply(ctx), d);
    ctx.header("Location", view.url());
    Responses.json(ctx, 201, view);
  }

  /** {@code GET /api/v1/uploads/{id}}. */
  public void status(Context ctx) {
    Responses.json(ctx, 200, uploads.status(ctx.pathParam("id"), clientId.apply(ctx)));
  }

  /** {@code PUT /api/v1/uploads/{id}/files/{name}}: one chunk, {@code Content-Range} or {@code ?offset=}. */
  public void put(Context ctx) throws IOException {
    ChunkRange range = ChunkRange.of(ctx.header("Content-Range"), ctx.queryParam("offset"));
    try {
      ResumableUploads.FileView f = uploads.append(ctx.pathParam("id"), clientId.apply(ctx), ctx.pathParam("name"),
          range, ctx.req().getContentLengthLong(), ctx.req().getInputStream());
      ctx.header(UPLOAD_OFFSET, Long.toString(f.received()));
      Responses.json(ctx, 200, f);
    } catch (OffsetMismatch e) {
      ctx.header(UPLOAD_OFFSET, Long.toString(e.received()));
      throw e;
    } catch (RangeNotSatisfiable e) {
      LOG.info("{} {} -> {} {}: {}", ctx.method(), ctx.path(), RangeNotSatisfiable.STATUS, e.error(), e.detail());
      Map<String, String> body = new LinkedHashMap<>();
      body.put("error", e.error());
      body.put("detail", e.detail());
      Responses.json(ctx, RangeNotSatisfiable.STATUS, body);
    }
  }

  /** {@code POST /api/v1/uploads/{id}/complete}: as a multipart upload answers, 201 (or 200 for content stored before). */
  public void complete(Context ctx) throws IOException {
    StoreResult r = uploads.complete(ctx.pathParam("id"), clientId.apply(ctx));
    if (r.created()) {
      ctx.header("Location", api + "/models/" + r.model().id());
    }
    Responses.json(ctx, r.created() ? 201 : 200, r.model());
  }

  /** {@code DELETE /api/v1/uploads/{id}}: 204, nothing of it left. */
  public void abort(Context ctx) throws IOException {
    uploads.abort(ctx.pathParam("id"), clientId.apply(ctx));
    ctx.status(204);
  }
}
