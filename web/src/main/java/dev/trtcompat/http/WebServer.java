package dev.trtcompat.http;

import static io.javalin.apibuilder.ApiBuilder.delete;
import static io.javalin.apibuilder.ApiBuilder.get;
import static io.javalin.apibuilder.ApiBuilder.path;
import static io.javalin.apibuilder.ApiBuilder.post;
import static io.javalin.apibuilder.ApiBuilder.put;

import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.check.Severity;
import dev.trtcompat.check.Verdict;
import dev.trtcompat.fix.ModelFixer;
import dev.trtcompat.http.compare.CompareRoutes;
import dev.trtcompat.http.compare.ModelLabels;
import dev.trtcompat.http.quantize.QuantizeRoutes;
import dev.trtcompat.http.upload.ResumableUploads;
import dev.trtcompat.http.upload.UploadRoutes;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.matrix.MatrixApi;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.service.JobService;
import dev.trtcompat.service.JobSettings;
import dev.trtcompat.units.ByteSize;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.eclipse.jetty.server.handler.StatisticsHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP service: Javalin on Jetty with the API under {@value #API}, the pages, and one error mapping.
 * Stopping is graceful: new connections are refused and requests in flight get {@link
 * ServiceConfig#stopTimeout()} to finish.
 */
public final class WebServer implements AutoCloseable {

  public static final String API = "/api/v1";

  private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);

  /** A route as registered with Javalin: what the OpenAPI description must cover. */
  public record Route(String method, String path) {}

  private final Javalin app;
  private final List<Route> routes;
  private final AtomicBoolean stopped = new AtomicBoolean();

  private final JobService jobService;
  private final JobEventStream events;

  private final CompareRoutes compare;
  private final ResumableUploads resumable;
  private final Compatibility compatibility;

  private WebServer(Javalin app, List<Route> routes, JobService jobService, JobEventStream events,
      CompareRoutes compare, ResumableUploads resumable, Compatibility compatibility) {
    this.compare = compare;
    this.resumable = resumable;
    this.compatibility = compatibility;
    this.app = app;
    this.routes = routes;
    this.jobService = jobService;
    this.events = events;
  }

  /**
   * Starts serving {@code store} as {@code config} says.
   *
   * @param sections the model page's facts sections in order ({@link #summarySections()}); the server puts its
   *     own around them: the verdict, the TensorRT compatibility matrix and the form to measure before, the graph
   *     after, since these need the server's checker, jobs and reference runs
   */
  public static WebServer start(ServiceConfig config, ModelStore store, List<ModelPageSection> sections) {
    return start(config, store, sections, config.jobSettings());
  }

  /**
   * Starts serving with jobs run as {@code jobSettings} says (database, workers, limits, Docker); the server
   * closes the job service it opens when it stops. Opening it recovers what an earlier process left running.
   */
  public static WebServer start(ServiceConfig config, ModelStore store, List<ModelPageSection> sections,
      JobSettings jobSettings) {
    CompatibilityChecker checker = CompatibilityChecker.bundled();
    Compatibility compatibility = new Compatibility(store, checker);
    FixRuns fixRuns = new FixRuns(store, new ModelFixer(checker, FixRuns.toolVersion()));
    JobService jobService = JobService.open(jobSettings, store, id -> incompatibilities(compatibility, id),
        QuantizeRoutes.cells(store), fixRuns);
    ReferenceRoutes references = new ReferenceRoutes(jobService, store, Access::clientId);
    LogExplainApi logs = new LogExplainApi(store);
    // Reference runs are cells too: the model's cell events cover every change the pages show.
    Function<String, String> modelTokens = id -> Long.toString(jobService.events().version(id));
    RenderCache renders = new RenderCache(modelTokens);
    JobApi jobs = new JobApi(jobService, store, Access::clientId, id -> {
      compatibility.forget(id);
      renders.forget(id);
    });
    ModelLabels labels = new ModelLabels(store, jobService, renders::forget);
    CompatibilitySections compatibilitySections = new CompatibilitySections(compatibility,
        references::matrixReference, TensorRtImageCatalog.builtIn(), jobService::latestJob);
    // The answer first (verdict, matrix, the form to measure more), then the model's facts, then its graph.
    JobEventStream events = new JobEventStream(jobService.events(), store);
    List<ModelPageSection> page = new ArrayList<>();
    page.add(compatibilitySections.verdict());
    page.add(compatibilitySections.compatibility());
    QuantizeRoutes quantize = new QuantizeRoutes(store, jobService, Access::clientId, config.maxUploadBytes());
    // Next to the matrix: a Q/DQ or FP16 model's origin and accuracy, this model's conversions and the forms.
    page.add(quantize.section());
    page.add(quantize.fp16Section());
    // Outside the live-updated matrix, so ticking boxes survives a re-render.
    page.add(ModelPageSection.of("measure", "Measure in containers", (h, m) -> {
      h.open("form", "id", "job-form", "method", "post", "action", "/models/" + m.id() + "/jobs");
      JobFormFields.render(h, TensorRtImageCatalog.builtIn(), List.of());
      h.element("button", "Run the selected cells", "type", "submit", "id", "job-submit");
      h.close("form");
      h.open("form", "id", "delete-form", "method", "post", "action", "/models/" + m.id() + "/delete");
      h.element("button", "Delete this model, its jobs, engines and logs", "type", "submit", "class", "danger");
      h.close("form");
    }));
    ModelDownloads downloads = new ModelDownloads(store);
    FixRoutes fix = new FixRoutes(store, jobService, fixRuns, checker.knowledgeBase().releases(), Access::clientId,
        config.maxUploadBytes());
    page.add(fix.section());
    page.addAll(sections);
    page.add(ModelPageSection.of("label", "Label", labels::render));
    page.add(compatibilitySections.graph());
    MatrixApi matrix = compatibilitySections.matrix();
    CompareRoutes compare = new CompareRoutes(store, matrix, jobService::latestJob, labels::label, modelTokens,
        jobService, Access::clientId, TensorRtImageCatalog.builtIn());
    ResumableUploads resumable = new ResumableUploads(jobService.database(), store, config.dataDir(),
        config.maxUploadBytes(), config.uploadExpiry(), Clock.systemUTC(), API + "/uploads",
        m -> {
          jobService.registerModel(m.id(), m.fileName(), m.bytes());
          compatibility.prepare(m.id());
        });
    ModelApi models = new ModelApi(store, config.maxUploadBytes(), page, (ctx, received) -> {
      // The model page's first view needs the analysis: start it now, while the uploader reads the answer.
      compatibility.prepare(received.stored().model().id());
      labels.setFromUpload(received.stored().model(), received.values("label"));
      return jobs.startFromUpload(ctx, received);
    }, compatibility::atHandForPage, resumable::promised);
    UploadRoutes uploadRoutes = new UploadRoutes(resumable, Access::clientId, API);
    Assets assets = new Assets();
    byte[] openApi = openApi();
    Access access = new Access(config.apiTokens(), Clock.systemUTC());
    UploadSlots uploads = new UploadSlots(config.maxConcurrentUploads());
    List<Route> routes = Collections.synchronizedList(new ArrayList<>());
    Javalin app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.startupWatcherEnabled = false;
      cfg.jsonMapper(JsonBodies.MAPPER);
      cfg.events.handlerAdded(h -> {
        if (h.getHttpMethod().isHttpMethod() && h.getHttpMethod() != HandlerType.HEAD) {
          routes.add(new Route(h.getHttpMethod().name(), h.getPath()));
        }
      });
      // Graceful stop: Jetty waits for requests the statistics handler still counts as open.
      cfg.jetty.modifyServer(server -> {
        server.setHandler(new StatisticsHandler());
        server.setStopTimeout(config.stopTimeout().toMillis());
        server.setStopAtShutdown(false);
      });
      cfg.registerPlugin(access);
      cfg.registerPlugin(uploads);
      cfg.router.mount(ErrorMapping::register);
      cfg.router.apiBuilder(() -> {
        // Pages, for people: HTML; their forms answer 303 back to a page.
        get("/", models::uploadPage);
        get(Assets.PATH + "/{name}", assets::serve);
        path("/models", () -> {
          post(models::uploadForm);
          path("{id}", () -> {
            get(renders.cached("page", models::page));
            get("matrix", renders.cached("fragment", matrix::fragment));
            post("reference", references::startForm);
            post("jobs", jobs::startForm);
            post("delete", jobs::deleteModelForm);
            post("label", labels::setForm);
            post("quantize", quantize::startForm);
            post("fp16", quantize::startFp16Form);
            post("fix", fix::startForm);
          });
        });
        path("/cells/{id}", () -> {
          post("cancel", ctx -> jobs.cellForm(ctx, true));
          post("retry", ctx -> jobs.cellForm(ctx, false));
        });
        compare.pageRoutes();
        // The API, for programs: JSON, described in openapi.json.
        path(API, () -> {
          get("health", ctx -> Responses.json(ctx, 200, Map.of("status", "ok")));
          get("openapi.json", ctx -> ctx.contentType(Responses.JSON).result(openApi));
          path("models", () -> {
            get(models::list);
            post(models::upload);
            path("{id}", () -> {
              get(models::get);
              delete(jobs::deleteModel);
              get("compatibility", compatibility::get);
              get("nodes", compatibility::nodes);
              get("reference", references::get);
              post("reference", references::start);
              get("matrix", renders.cached("json", matrix::json));
              get("matrix.csv", renders.cached("csv", matrix::csv));
              get("jobs", jobs::forModel);
              post("jobs", jobs::start);
              get("events", events.handler());
              put("label", labels::setJson);
              post("quantize", quantize::start);
              post("fp16", quantize::startFp16);
              quantize.listRoutes();
              get("files/{name}", downloads::file);
              post("fix", fix::start);
              get("fix-report", fix::report);
              get("file", downloads::model);
            });
          });
          path("jobs/{id}", () -> {
            get(jobs::get);
            post("cancel", jobs::cancelJob);
            post("retry", jobs::retryJob);
          });
          path("cells/{id}", () -> {
            get(jobs::cell);
            get("log", jobs::log);
            post("cancel", jobs::cancelCell);
            post("retry", jobs::retryCell);
          });
          path("uploads", () -> {
            post(uploadRoutes::create);
            path("{id}", () -> {
              get(uploadRoutes::status);
              delete(uploadRoutes::abort);
              put("files/{name}", uploadRoutes::put);
              post("complete", uploadRoutes::complete);
            });
          });
          get("engines/{sha256}", jobs::engine);
          post("logs/explain", logs::explain);
          compare.apiRoutes();
        });
      });
    });
    try {
      app.start(config.host(), config.port());
    } catch (RuntimeException e) {
      resumable.close();
      compare.close();
      events.close();
      jobService.close();
      compatibility.close();
      throw e;
    }
    LOG.info("trt-compat serving on http://{}:{}/ (data folder {}, uploads up to {})",
        hostForUrl(config.host()), app.port(), config.dataDir(), ByteSize.human(config.maxUploadBytes()));
    // ServiceConfig refuses a non-loopback host without tokens, so an open service only answers this machine.
    if (config.apiTokens().enabled()) {
      LOG.info("API tokens required; clients: {}", config.apiTokens().clientNames());
    }
    return new WebServer(app, List.copyOf(routes), jobService, events, compare, resumable, compatibility);
  }

  /** The model page's summary sections, in order. Later features add theirs to this list. */
  public static List<ModelPageSection> summarySections() {
    return SummarySections.all();
  }

  /** The job service: queue, catalogs, events (tests and the CLI look inside). */
  public JobService jobs() {
    return jobService;
  }

  /** Release to the first error, for each release the static check says cannot convert the model. */
  private static Map<String, String> incompatibilities(Compatibility compatibility, String modelId) {
    Map<String, String> out = new LinkedHashMap<>();
    for (ReleaseResult rr : compatibility.analysis(modelId).report().results()) {
      if (rr.verdict() == Verdict.INCOMPATIBLE) {
        String first = rr.findings().stream()
            .filter(f -> f.severity() == Severity.ERROR)
            .map(f -> (f.node() == null ? "" : "node " + f.node() + ": ") + f.message())
            .findFirst().orElse("the static check found an error");
        out.put(rr.tensorrt(), "statically incompatible: " + first);
      }
    }
    return out;
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    return app.port();
  }

  /** Every method and path registered, HEAD left out. */
  public List<Route> routes() {
    return routes;
  }

  /**
   * Stops accepting, lets requests in flight finish within the stop timeout, then stops; running cells (reference
   * runs included) are re-queued for the next start or another instance.
   */
  @Override
  public void close() {
    if (stopped.getAndSet(true)) {
      return;
    }
    LOG.info("stopping: finishing requests in flight");
    // Event streams never finish by themselves: end them first so the stop does not wait for them.
    events.close();
    compare.close();
    app.stop();
    resumable.close();
    // Running cells are re-queued (a graceful stop loses nothing), then Docker and the database close.
    jobService.close();
    compatibility.close();
    LOG.info("stopped");
  }

  private static byte[] openApi() {
    try (InputStream in = WebServer.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String hostForUrl(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
