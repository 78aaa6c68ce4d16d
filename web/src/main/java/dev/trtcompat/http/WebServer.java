package dev.trtcompat.http;

import dev.trtcompat.app.ByteSize;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.models.ModelStore;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
  private final ReferenceRuns references;
  private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();

  private final ConversionApi conversions;

  private WebServer(Javalin app, List<Route> routes, ConversionApi conversions, ReferenceRuns references) {
    this.app = app;
    this.routes = routes;
    this.conversions = conversions;
    this.references = references;
  }

  /**
   * Starts serving {@code store} as {@code config} says.
   *
   * @param sections the model page's first sections in order ({@link #summarySections()}); the server adds
   *     its own after them: the TensorRT compatibility matrix and the graph, which need the server's checker
   *     and reference runs
   */
  public static WebServer start(ServiceConfig config, ModelStore store, List<ModelPageSection> sections) {
    java.util.function.Function<String, java.util.Optional<java.nio.file.Path>> files =
        store instanceof dev.trtcompat.models.FileModelStore f ? f::modelFile : id -> java.util.Optional.empty();
    return start(config, store, sections, new ConversionApi(
        ConversionApi.Settings.fromEnvironment(System.getenv(), config.dataDir()), store, files));
  }

  /** Starts serving with these conversion routes; the server closes {@code conversions} when it stops. */
  public static WebServer start(ServiceConfig config, ModelStore store, List<ModelPageSection> sections,
      ConversionApi conversions) {
    Compatibility compatibility = new Compatibility(store, CompatibilityChecker.bundled());
    ReferenceRuns references = new ReferenceRuns(store, config.stopTimeout());
    List<ModelPageSection> page = new ArrayList<>(sections);
    page.addAll(new CompatibilitySections(compatibility, references, TensorRtImageCatalog.builtIn()).sections());
    ModelApi models = new ModelApi(store, config.maxUploadBytes(), page);
    Assets assets = new Assets();
    byte[] openApi = openApi();
    Access access = new Access(config.apiTokens(), java.time.Clock.systemUTC());
    UploadSlots uploads = new UploadSlots(config.maxConcurrentUploads());
    List<Route> routes = Collections.synchronizedList(new ArrayList<>());
    Javalin app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.startupWatcherEnabled = false;
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
      cfg.router.mount(r -> {
        ErrorMapping.register(r);
        access.register(r);
        uploads.register(r);
        r.get("/", models::uploadPage);
        r.post("/models", models::uploadForm);
        r.get("/models/{id}", models::page);
        r.post("/models/{id}/reference", references::startForm);
        r.get(Assets.PATH + "/{name}", assets::serve);
        r.get(API + "/health", ctx -> Responses.json(ctx, 200, Map.of("status", "ok")));
        r.get(API + "/openapi.json", ctx -> ctx.contentType(Responses.JSON).result(openApi));
        r.get(API + "/models", models::list);
        r.post(API + "/models", models::upload);
        r.get(API + "/models/{id}", models::get);
        r.get(API + "/models/{id}/compatibility", compatibility::get);
        r.post(API + "/models/{id}/reference", references::start);
        r.get(API + "/models/{id}/reference", references::get);
        r.post(API + "/models/{id}/conversions", conversions::start);
        r.get(API + "/conversions/{id}", conversions::get);
        r.get(API + "/conversions/{id}/log", conversions::log);
        r.get(API + "/conversions/{id}/engine", conversions::engine);
        r.post(API + "/logs/explain", conversions::explain);
      });
    });
    try {
      app.start(config.host(), config.port());
    } catch (RuntimeException e) {
      references.close();
      conversions.close();
      throw e;
    }
    LOG.info("trt-compat serving on http://{}:{}/ (data folder {}, uploads up to {})",
        hostForUrl(config.host()), app.port(), config.dataDir(), ByteSize.human(config.maxUploadBytes()));
    // ServiceConfig refuses a non-loopback host without tokens, so an open service only answers this machine.
    if (config.apiTokens().enabled()) {
      LOG.info("API tokens required; clients: {}", config.apiTokens().clientNames());
    }
    return new WebServer(app, List.copyOf(routes), conversions, references);
  }

  /** The model page's summary sections, in order. Later features add theirs to this list. */
  public static List<ModelPageSection> summarySections() {
    return SummarySections.all();
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
   * Stops accepting, lets requests in flight finish within the stop timeout, then stops; then lets a
   * reference run in progress finish within the stop timeout too, and drops the queued ones.
   */
  @Override
  public void close() {
    if (stopped.getAndSet(true)) {
      return;
    }
    LOG.info("stopping: finishing requests in flight");
    app.stop();
    references.close();
    conversions.close();
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
