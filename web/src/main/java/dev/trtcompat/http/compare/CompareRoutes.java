package dev.trtcompat.http.compare;

import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.post;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trtcompat.cost.CostEstimator;
import dev.trtcompat.cost.ModelCost;
import dev.trtcompat.html.Html;
import dev.trtcompat.http.JsonBodies;
import dev.trtcompat.http.ModelApi;
import dev.trtcompat.http.Responses;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.jobs.CellEvent;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixApi;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.service.JobService;
import dev.trtcompat.service.JobSpec;
import dev.trtcompat.service.ModelEvents;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compare routes: the page {@code GET /compare}, its live part {@code GET /compare/body}, {@code GET
 * /api/v1/compare} (JSON) and {@code .csv}, the measure-all job ({@code POST /compare/jobs} for the page, {@code
 * POST /api/v1/compare/jobs} for programs) and one event stream over all compared models ({@code GET
 * /api/v1/compare/events}). Each model's part comes from {@link MatrixApi#report}; answers are kept while no
 * compared model's state token changes, so many viewers of one comparison cost one render per change.
 */
public final class CompareRoutes implements AutoCloseable {

  static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
          + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  private static final Logger LOG = LoggerFactory.getLogger(CompareRoutes.class);
  private static final int COST_ENTRIES = 512;
  private static final int RENDER_ENTRIES = 128;
  private static final long RENDER_MAX_AGE_NANOS = 5_000_000_000L;
  private static final long FLUSH_MS = 300;
  private static final long PING_MS = 15_000;

  private final ModelStore store;
  private final MatrixApi matrix;
  private final Function<String, Optional<Job>> latestJob;
  private final Function<String, String> labels;
  private final Function<String, String> tokens;
  private final JobService jobs;
  private final Function<Context, String> clientId;
  private final TensorRtImageCatalog images;
  private final Map<String, Optional<ModelCost>> costs = lru(COST_ENTRIES);
  private final Map<String, Rendered> renders = lru(RENDER_ENTRIES);
  private final Map<String, Object> renderLocks = new ConcurrentHashMap<>();
  private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sender;

  private record Rendered(String token, byte[] body, long createdNanos) {}

  /**
   * @param latestJob a model's latest job (for the accuracy figures of its cells)
   * @param labels a model's family label, null when unset
   * @param tokens a model's state token: changes with every cell event and reference update
   * @param clientId who submits a job (token name or remote address), for the job limits
   */
  public CompareRoutes(ModelStore store, MatrixApi matrix, Function<String, Optional<Job>> latestJob,
      Function<String, String> labels, Function<String, String> tokens, JobService jobs,
      Function<Context, String> clientId, TensorRtImageCatalog images) {
    this.store = store;
    this.matrix = matrix;
    this.latestJob = latestJob;
    this.labels = labels;
    this.tokens = tokens;
    this.jobs = jobs;
    this.clientId = clientId;
    this.images = images;
    this.sender = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "compare-events");
      t.setDaemon(true);
      return t;
    });
    sender.scheduleWithFixedDelay(this::flush, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
  }

  /** The comparison's pages and form; called inside {@code config.router.apiBuilder}, outside the API group. */
  public void pageRoutes() {
    get("/compare", cached("page", this::page));
    get("/compare/body", cached("body", this::body));
    post("/compare/jobs", this::startForm);
  }

  /** The comparison's API routes; called inside the API's {@code ApiBuilder.path} group. */
  public void apiRoutes() {
    get("compare", cached("json", this::json));
    get("compare.csv", cached("csv", this::csv));
    get("compare/events", new SseHandler(this::events));
    post("compare/jobs", this::start);
  }

  /** The comparison a query asks for; NOT_FOUND for an unknown model, BAD_REQUEST for a malformed query. */
  public CompareReport report(CompareQuery q) {
    List<CompareAssembly.ModelInput> inputs = new ArrayList<>();
    for (String id : q.models()) {
      MatrixReport m = matrix.report(id);
      inputs.add(new CompareAssembly.ModelInput(id, m.fileName(), labels.apply(id), m, latestJob.apply(id), cost(id)));
    }
    return CompareAssembly.assemble(q, inputs);
  }

  private static CompareQuery query(Context ctx) {
    return CompareQuery.parse(ctx.queryParamMap());
  }

  void page(Context ctx) {
    CompareQuery q = query(ctx);
    CompareReport r = report(q);
    html(ctx, ComparePage.page(q, r, releases(q), images));
  }

  void body(Context ctx) {
    CompareQuery q = query(ctx);
    Html h = new Html();
    ComparePage.body(h, q, report(q));
    html(ctx, h.toString());
    ctx.header("Cache-Control", "no-store");
  }

  void json(Context ctx) {
    CompareReport r = report(query(ctx));
    Responses.json(ctx, 200, r);
  }

  void csv(Context ctx) {
    CompareReport r = report(query(ctx));
    ctx.status(200).contentType("text/csv; charset=utf-8; header=present").header("X-Content-Type-Options", "nosniff")
        .header("Content-Disposition", "attachment; filename=\"compare-models.csv\"")
        .result(CompareCsv.write(r).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code POST /compare/jobs}: the page's form; one job per model, then back to the comparison. */
  void startForm(Context ctx) {
    List<String> ref = ctx.formParams("reference");
    JobSpec spec = JobSpec.fromForm(ctx.formParams("trt"), ctx.formParams("precision"),
        ref.isEmpty() || !"off".equals(ref.get(ref.size() - 1)), ctx.formParam("shapes"), ctx.formParam("timeout"));
    submit(ctx, modelsOf(ctx.formParams("models")), spec);
    String back = ctx.formParam("back");
    // Only a path of the compare page: never an open redirect.
    boolean safe = back != null && back.startsWith("/compare?") && !back.contains("\\");
    ctx.redirect(safe ? back : "/", HttpStatus.SEE_OTHER);
  }

  /**
   * {@code POST /api/v1/compare/jobs}: body {@code {"models": [ID, ...], "versions": [...], "precisions": [...],
   * "shapes": {...}, "timeoutSeconds": N, ...}}: the job fields apply to every model.
   */
  void start(Context ctx) throws IOException {
    JsonNode body;
    try {
      body = Json.mapper().readTree(ctx.body().isBlank() ? "{}" : ctx.body());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject() || !body.path("models").isArray()) {
      throw CompareQuery.bad("invalid_body", "The body must be a JSON object with \"models\": [ID, ...] and the job"
          + " fields of POST /api/v1/models/{id}/jobs.");
    }
    List<String> ids = new ArrayList<>();
    body.path("models").forEach(n -> ids.add(n.asText()));
    ObjectNode spec = ((ObjectNode) body).deepCopy();
    spec.remove("models");
    List<Job> started = submit(ctx, modelsOf(ids), JsonBodies.read(spec.toString(), JobSpec.Request.class).toSpec());
    List<StartedJob> out = new ArrayList<>();
    for (Job j : started) {
      out.add(new StartedJob(j.id(), j.modelSha256(), "/api/v1/jobs/" + j.id()));
    }
    Responses.json(ctx, 202, new StartedJobs(out));
  }

  private List<StoredModel> modelsOf(List<String> ids) {
    CompareQuery q = CompareQuery.parse(Map.of("models", ids));
    List<StoredModel> models = new ArrayList<>();
    for (String id : q.models()) {
      try {
        models.add(store.find(id).orElseThrow(() -> ModelApi.notFound(id)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return models;
  }

  private List<Job> submit(Context ctx, List<StoredModel> models, JobSpec spec) {
    List<JobService.Submission> batch = models.stream()
        .map(m -> new JobService.Submission(m.id(), m.fileName(), m.bytes())).toList();
    return jobs.submitInterleaved(batch, spec, clientId.apply(ctx));
  }

  /** One stream for all compared models: {@code event: cell} with the model id, when any of their cells changes. */
  private void events(SseClient client) {
    CompareQuery q = query(client.ctx());
    for (String id : q.models()) {
      matrix.report(id); // NOT_FOUND before the stream opens
    }
    EventStream s = new EventStream(client);
    List<Runnable> unsubscribe = new ArrayList<>();
    for (String id : q.models()) {
      unsubscribe.add(jobs.events().subscribe(id, s.forModel(id)));
    }
    streams.add(s);
    client.onClose(() -> {
      unsubscribe.forEach(Runnable::run);
      streams.remove(s);
    });
    client.sendComment("trt-compat events for " + q.models().size() + " models");
    client.keepAlive();
  }

  /**
   * Sends what the streams collected since the last tick; one thread, so a stream never sends concurrently. A
   * client that stops reading can hold this thread while its socket buffer is full (Jetty's idle timeout ends it).
   */
  private void flush() {
    long now = System.currentTimeMillis();
    for (EventStream s : streams) {
      try {
        s.flush(now);
      } catch (RuntimeException e) {
        LOG.debug("compare event stream ended: {}", e.toString());
        s.client.close();
        streams.remove(s);
      }
    }
  }

  /** {@code POST /api/v1/compare/jobs}' answer: one job per model. */
  record StartedJobs(List<StartedJob> jobs) {}

  record StartedJob(long id, String modelId, String url) {}

  /** The combined stream's {@code cell} event: which model's cell changed state. */
  record CellChange(String modelId, long eventId, long jobId, long cellId, String from, String to, String at) {}

  /** One browser's stream: state events queue here (log lines are not forwarded: the model page has them). */
  private static final class EventStream {
    private final SseClient client;
    private final ConcurrentLinkedQueue<String> pending = new ConcurrentLinkedQueue<>();
    private long lastSent = System.currentTimeMillis();

    EventStream(SseClient client) {
      this.client = client;
    }

    ModelEvents.Subscriber forModel(String modelId) {
      return new ModelEvents.Subscriber() {
        @Override
        public void cell(CellEvent e) {
          CellChange change = new CellChange(modelId, e.id(), e.jobId(), e.cellId(),
              e.from() == null ? null : e.from().name(), e.to().name(), e.at().toString());
          try {
            pending.add(Json.mapper().writeValueAsString(change));
          } catch (IOException ex) {
            throw new UncheckedIOException(ex);
          }
        }

        @Override
        public void log(long jobId, long cellId, String line) {}
      };
    }

    void flush(long now) {
      if (client.terminated()) {
        throw new IllegalStateException("closed");
      }
      String data;
      boolean sent = false;
      while ((data = pending.poll()) != null) {
        client.sendEvent("cell", data);
        sent = true;
      }
      if (sent) {
        lastSent = now;
      } else if (now - lastSent >= PING_MS) {
        client.sendComment("ping");
        lastSent = now;
      }
    }
  }

  /** A read route answered from memory while every compared model's state token is unchanged. */
  private Handler cached(String kind, Handler route) {
    return ctx -> {
      CompareQuery q = query(ctx);
      String key = kind + "?" + q.toQueryString();
      StringBuilder token = new StringBuilder();
      for (String id : q.models()) {
        token.append(tokens.apply(id)).append(';').append(labels.apply(id)).append('|');
      }
      if (serveCached(kind, key, token, ctx)) {
        return;
      }
      // One render per key at a time: when the entry expires under load, the other requests for the same view
      // wait for that render instead of all rendering ten matrices at once, then answer from it.
      synchronized (renderLocks.computeIfAbsent(key, k -> new Object())) {
        if (serveCached(kind, key, token, ctx)) {
          return;
        }
        render(route, key, token, ctx);
      }
      if (renderLocks.size() > 4 * RENDER_ENTRIES) {
        renderLocks.clear(); // old views; at worst a view in flight is rendered twice
      }
    };
  }

  private boolean serveCached(String kind, String key, CharSequence token, Context ctx) {
    Rendered hit;
    synchronized (renders) {
      hit = renders.get(key);
    }
    boolean fresh = hit != null && System.nanoTime() - hit.createdNanos() < RENDER_MAX_AGE_NANOS;
    if (fresh && hit.token().contentEquals(token)) {
      route(kind, ctx);
      ctx.header("X-Render-Cache", "hit").result(hit.body());
      return true;
    }
    return false;
  }

  private void render(Handler route, String key, CharSequence token, Context ctx) throws Exception {
    route.handle(ctx);
    ctx.header("X-Render-Cache", "miss");
    if (ctx.statusCode() != 200 || ctx.resultInputStream() == null) {
      return;
    }
    byte[] body;
    try (var in = ctx.resultInputStream()) {
      body = in.readAllBytes();
    }
    ctx.result(body);
    synchronized (renders) {
      renders.put(key, new Rendered(token.toString(), body, System.nanoTime()));
    }
  }

  /** The headers of a route's answer, for a cached body. */
  private static void route(String kind, Context ctx) {
    switch (kind) {
      case "json" -> ctx.status(200).contentType("application/json; charset=utf-8")
          .header("X-Content-Type-Options", "nosniff");
      case "csv" -> ctx.status(200).contentType("text/csv; charset=utf-8; header=present")
          .header("X-Content-Type-Options", "nosniff")
          .header("Content-Disposition", "attachment; filename=\"compare-models.csv\"");
      default -> {
        html(ctx, "");
        if (kind.equals("body")) {
          ctx.header("Cache-Control", "no-store");
        }
      }
    }
  }

  private static void html(Context ctx, String page) {
    ctx.status(200).contentType("text/html; charset=utf-8").header("Content-Security-Policy", CSP)
        .header("X-Content-Type-Options", "nosniff").header("Referrer-Policy", "same-origin").result(page);
  }

  /** Every release the knowledge base or the image catalog knows, for the column choice. */
  private List<String> releases(CompareQuery q) {
    Set<String> out = new LinkedHashSet<>(images.releases());
    out.addAll(q.releases());
    return List.copyOf(out);
  }

  /** Parameters and FLOPs: computed once per model (a model's content never changes under its id). */
  private ModelCost cost(String id) {
    synchronized (costs) {
      Optional<ModelCost> known = costs.get(id);
      if (known != null) {
        return known.orElse(null);
      }
    }
    Optional<ModelCost> c;
    try {
      Optional<Path> file = store.modelFile(id);
      c = file.isEmpty() ? Optional.empty() : Optional.of(CostEstimator.estimate(OnnxModelReader.read(file.get())));
    } catch (RuntimeException e) {
      LOG.warn("cost estimate of model {} failed: {}", id, e.toString());
      c = Optional.empty();
    }
    synchronized (costs) {
      costs.put(id, c);
    }
    return c.orElse(null);
  }

  @Override
  public void close() {
    sender.shutdownNow();
    for (EventStream s : streams) {
      s.client.close();
    }
    streams.clear();
  }

  private static <V> Map<String, V> lru(int capacity) {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }
}
