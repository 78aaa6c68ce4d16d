package dev.trtcompat.http;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.models.DiskSpace;
import dev.trtcompat.models.ModelEntry;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoreResult;
import dev.trtcompat.models.StoredModel;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The model routes: upload, fetch and list, as JSON for programs and as pages for people. */
public final class ModelApi {

  static final int DEFAULT_LIST_LIMIT = 50;
  static final int MAX_LIST_LIMIT = 1000;
  static final int MAX_QUERY = 200;

  private final ModelStore store;
  private final UploadReceiver receiver;
  private final long maxUploadBytes;
  private final List<ModelPageSection> sections;
  private final BiFunction<Context, UploadReceiver.Received, Optional<Job>> afterUpload;
  private final Predicate<StoredModel> analysisAtHand;

  /** A page whose analysis is always at hand (computed, or waited for, as the sections render). */
  ModelApi(ModelStore store, long maxUploadBytes, List<ModelPageSection> sections,
      BiFunction<Context, UploadReceiver.Received, Optional<Job>> afterUpload) {
    this(store, maxUploadBytes, sections, afterUpload, m -> true, () -> DiskSpace.Promised.NONE);
  }

  /**
   * @param afterUpload registers the stored model with the job service and starts the job the upload's
   *     {@code trt}/{@code precision} fields ask for, if any
   * @param analysisAtHand whether the page can show the model's analysis now; when not, its sections that show it
   *     are placeholders ({@link Compatibility#atHandForPage})
   * @param promised the bytes unfinished resumable uploads still have to send, which a multipart upload of known
   *     length must fit beside
   */
  ModelApi(ModelStore store, long maxUploadBytes, List<ModelPageSection> sections,
      BiFunction<Context, UploadReceiver.Received, Optional<Job>> afterUpload, Predicate<StoredModel> analysisAtHand,
      Supplier<DiskSpace.Promised> promised) {
    this.afterUpload = afterUpload;
    this.analysisAtHand = analysisAtHand;
    this.store = store;
    this.receiver = new UploadReceiver(store, maxUploadBytes, promised);
    this.maxUploadBytes = maxUploadBytes;
    this.sections = List.copyOf(sections);
  }

  /** The upload's answer when it also started a job: the stored model's fields, then the job's id and URL. */
  record StoredWithJob(@JsonUnwrapped StoredModel model, long jobId, String jobUrl) {}

  /** {@code POST /api/v1/models}: 201 for new content, 200 when the same content is already stored. */
  void upload(Context ctx) throws IOException {
    UploadReceiver.Received received = receiver.receiveWithFields(ctx.req());
    StoreResult r = received.stored();
    if (r.created()) {
      ctx.header("Location", WebServer.API + "/models/" + r.model().id());
    }
    Optional<Job> job = startJob(ctx, received);
    if (job.isEmpty()) {
      Responses.json(ctx, r.created() ? 201 : 200, r.model());
      return;
    }
    Responses.json(ctx, r.created() ? 201 : 200,
        new StoredWithJob(r.model(), job.get().id(), WebServer.API + "/jobs/" + job.get().id()));
  }

  /** {@code POST /models}: the form without script; answers with the model page's address. */
  void uploadForm(Context ctx) throws IOException {
    UploadReceiver.Received received = receiver.receiveWithFields(ctx.req());
    startJob(ctx, received);
    ctx.redirect("/models/" + received.stored().model().id(), HttpStatus.SEE_OTHER);
  }

  /** Starts the upload's job; a refusal (limits, bad choices) says that the model itself was stored. */
  private Optional<Job> startJob(Context ctx, UploadReceiver.Received received) {
    try {
      return afterUpload.apply(ctx, received);
    } catch (UserFacingException e) {
      throw new UserFacingException(e.kind(), e.error(), "The model was stored as " + received.stored().model().id()
          + " (see /models/" + received.stored().model().id() + "), but its job was not started: " + e.detail(), e);
    }
  }

  void get(Context ctx) throws IOException {
    Responses.json(ctx, 200, find(ctx.pathParam("id")));
  }

  /** {@code GET /api/v1/models[?q=TEXT][&limit=N]}: newest first; {@code q} matches the file name or the id's start. */
  void list(Context ctx) throws IOException {
    Responses.json(ctx, 200, Map.of("models", search(query(ctx), limit(ctx))));
  }

  /** Models whose file name contains {@code q} (any case) or whose id or SHA-256 starts with it. */
  private List<ModelEntry> search(String q, int limit) throws IOException {
    if (q == null || q.isBlank()) {
      return store.recent(limit);
    }
    String needle = q.strip().toLowerCase(Locale.ROOT);
    return store.recent(Integer.MAX_VALUE).stream()
        .filter(e -> e.fileName().toLowerCase(Locale.ROOT).contains(needle)
            || e.id().startsWith(needle) || e.sha256().startsWith(needle))
        .limit(limit)
        .toList();
  }

  void page(Context ctx) throws IOException {
    StoredModel m = find(ctx.pathParam("id"));
    boolean analysed = analysisAtHand.test(m);
    Responses.html(ctx, 200, Pages.model(m, sections, ctx.queryParamMap(), analysed));
    if (!analysed) {
      // A placeholder page: neither the browser nor the render cache may keep it as the model's page.
      ctx.header(RenderCache.CACHE_CONTROL, RenderCache.NO_STORE);
    }
  }

  void uploadPage(Context ctx) throws IOException {
    String q = query(ctx);
    List<ModelEntry> recent = search(q, 20);
    Responses.html(ctx, 200, Pages.upload(maxUploadBytes, recent, q == null ? "" : q));
  }

  private StoredModel find(String id) throws IOException {
    return store.find(id).orElseThrow(() -> notFound(id));
  }

  /** The answer for an id no stored model has, shared by every per-model route. */
  public static UserFacingException notFound(String id) {
    return new UserFacingException(
        Kind.NOT_FOUND, "model_not_found",
        "no model has the id '" + shorten(id) + "'; ids are the 64 hex digits returned by POST " + WebServer.API + "/models");
  }

  /** The search text {@code q}: at most {@value #MAX_QUERY} characters; null when not given. */
  private static String query(Context ctx) {
    return ctx.queryParamAsClass("q", String.class).allowNullable()
        .check(q -> q == null || q.strip().length() <= MAX_QUERY, "q must be at most " + MAX_QUERY + " characters")
        .get();
  }

  private static int limit(Context ctx) {
    return ctx.queryParamAsClass("limit", Integer.class)
        .check(n -> n >= 1 && n <= MAX_LIST_LIMIT, "limit must be a whole number from 1 to " + MAX_LIST_LIMIT)
        .getOrDefault(DEFAULT_LIST_LIMIT);
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
