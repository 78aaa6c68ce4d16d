package dev.trtcompat.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.conversion.ConversionHost;
import dev.trtcompat.conversion.ConversionRequest;
import dev.trtcompat.conversion.ConversionResult;
import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.trtexec.LogExplainer;
import dev.trtcompat.trtexec.ModelNodeMatch;
import dev.trtcompat.trtexec.TensorRtRelease;
import dev.trtcompat.trtexec.TrtexecCommand.Precision;
import dev.trtcompat.trtexec.TrtexecCommand.ShapeRange;
import dev.trtcompat.trtexec.TrtexecLog;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversion routes: start trtexec runs for a stored model in the background, report them, serve their logs
 * and engines; and explain a trtexec log someone ran themselves. Owns the executor the runs use and the
 * connection to Docker, opened at the first conversion so the server starts (and explains logs) without Docker.
 */
public final class ConversionApi implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConversionApi.class);
  static final int MAX_RUNS_PER_REQUEST = 32;
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
  static final Duration MAX_TIMEOUT = Duration.ofHours(6);

  /**
   * How the server runs conversions.
   *
   * @param workers conversions handled at once (each mostly waits on its container; the GPU queue is the runner's)
   * @param maxQueued conversions accepted beyond those; more are refused with 429
   */
  public record Settings(DockerSettings docker, RunnerSettings runner, ConversionSettings conversion, Path dataDir,
      int workers, int maxQueued) {

    /** Docker from DOCKER_HOST, images from TRT_COMPAT_REGISTRY (default nvcr.io/nvidia), 4 workers, 64 queued. */
    public static Settings fromEnvironment(Map<String, String> env, Path dataDir) {
      ConversionSettings c = ConversionSettings.defaults();
      String registry = env.get("TRT_COMPAT_REGISTRY");
      if (registry != null && !registry.isBlank()) {
        c = c.withRegistryPrefix(registry);
      }
      return new Settings(DockerSettings.fromEnvironment(env), RunnerSettings.defaults("trt-compat"), c, dataDir, 4, 64);
    }
  }

  private final Settings settings;
  private final ModelStore models;
  private final Function<String, Optional<Path>> modelFiles;
  private final ThreadPoolExecutor executor;
  private final Map<String, ConversionJob> jobs = new ConcurrentHashMap<>();
  private ConversionHost host;
  private boolean closed;

  public ConversionApi(Settings settings, ModelStore models, Function<String, Optional<Path>> modelFiles) {
    this.settings = settings;
    this.models = models;
    this.modelFiles = modelFiles;
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(settings.workers(), settings.workers(), 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(settings.maxQueued()), r -> new Thread(r, "trtcompat-conversion-" + n.incrementAndGet()));
  }

  /** {@code POST /api/v1/models/{id}/conversions}: 202 with one conversion per version x precision. */
  void start(Context ctx) throws IOException {
    StoredModel model = findModel(ctx.pathParam("id"));
    Path file = modelFiles.apply(model.id()).orElseThrow(() -> notFound("model_not_found", "The model's file is missing from the store."));
    JsonNode body = readBody(ctx);
    List<TensorRtRelease> versions = new ArrayList<>();
    for (JsonNode v : list(body, "versions", true)) {
      versions.add(TensorRtRelease.parse(v.asText()));
    }
    List<Precision> precisions = new ArrayList<>();
    for (JsonNode p : list(body, "precisions", false)) {
      precisions.add(ConversionRequest.precision(p.asText()));
    }
    if (precisions.isEmpty()) {
      precisions.add(Precision.FP32);
    }
    if (versions.size() * precisions.size() > MAX_RUNS_PER_REQUEST) {
      throw new UserFacingException(Kind.BAD_REQUEST, "too_many_runs",
          "At most " + MAX_RUNS_PER_REQUEST + " versions x precisions per request; split the request.");
    }
    Map<String, ShapeRange> shapes = shapes(body.get("shapes"));
    Duration timeout = timeout(body.get("timeoutSeconds"));
    // On unless the client says "accuracy": false; the comparison lands in each result's "accuracy" field.
    boolean accuracy = !body.hasNonNull("accuracy") || body.get("accuracy").asBoolean(true);
    ConversionHost h = host();
    List<ConversionRequest> requests = new ArrayList<>();
    for (TensorRtRelease v : versions) {
      // Refuse now what cannot run, rather than accept runs that fail at once: unknown release, absent image.
      h.service().checkImage(v.toString(), settings.runner().pullAllowed());
      for (Precision p : precisions) {
        requests.add(new ConversionRequest(file, model.sha256(), v, p, shapes, null, timeout, accuracy));
      }
    }
    List<Map<String, Object>> started = new ArrayList<>();
    for (ConversionRequest r : requests) {
      ConversionJob job = new ConversionJob(UUID.randomUUID().toString(), model.id(), r.release().toString(),
          r.precision().name().toLowerCase(Locale.ROOT));
      try {
        executor.execute(() -> run(h, job, r));
      } catch (RejectedExecutionException e) {
        throw new UserFacingException(Kind.LIMIT_REACHED, "queue_full",
            "The server has " + settings.maxQueued() + " conversions waiting already; try again later.");
      }
      jobs.put(job.id, job);
      started.add(Map.of("id", job.id, "release", job.release, "precision", job.precision,
          "url", WebServer.API + "/conversions/" + job.id));
    }
    Responses.json(ctx, 202, Map.of("conversions", started));
  }

  private void run(ConversionHost h, ConversionJob job, ConversionRequest request) {
    job.started();
    try {
      job.finished(h.service().convert(request, line -> job.appendLog(line.text())));
    } catch (UserFacingException e) {
      job.failed(e.error(), e.detail());
    } catch (RuntimeException e) {
      LOG.error("conversion {} failed", job.id, e);
      job.failed("internal_error", "The conversion failed inside the server; the operator can find the details in its log.");
    }
  }

  /** {@code GET /api/v1/conversions/{id}}. */
  void get(Context ctx) {
    Responses.json(ctx, 200, job(ctx).view());
  }

  /** {@code GET /api/v1/conversions/{id}/log}: trtexec's output so far, as text. */
  void log(Context ctx) {
    ctx.status(200).contentType("text/plain; charset=utf-8").result(job(ctx).log());
  }

  /** {@code GET /api/v1/conversions/{id}/engine}: the engine file, named after model, TensorRT, precision, GPU. */
  void engine(Context ctx) throws IOException {
    ConversionJob job = job(ctx);
    ConversionResult r = job.result();
    if (r == null || r.engine() == null) {
      if (job.status() == ConversionJob.Status.QUEUED || job.status() == ConversionJob.Status.RUNNING) {
        throw new UserFacingException(Kind.CONFLICT, "conversion_running",
            "Conversion " + job.id + " is still " + job.status().wire() + "; ask again when it has finished.");
      }
      throw notFound("no_engine", "Conversion " + job.id + " built no engine (" + (r == null ? "it failed" : r.outcome().wire()) + ").");
    }
    EngineArtifact a = r.engine();
    Path file = host().service().engines().engineFile(a.sha256())
        .orElseThrow(() -> notFound("engine_deleted", "The engine of conversion " + job.id + " was deleted from the store."));
    ctx.status(200).contentType("application/octet-stream")
        .header("Content-Disposition", "attachment; filename=\"" + a.fileName() + "\"")
        .header("X-Engine-Sha256", a.sha256())
        .header("X-Engine-Validity", a.validity());
    InputStream in = Files.newInputStream(file);
    ctx.result(in);
  }

  /** {@code POST /api/v1/logs/explain[?model=ID]}: what a trtexec log says, the failing node mapped to the model. */
  void explain(Context ctx) throws IOException {
    TrtexecLog log;
    try (InputStream in = ctx.bodyInputStream()) {
      log = LogExplainer.explain(in);
    }
    ModelNodeMatch match = null;
    String modelId = ctx.queryParam("model");
    if (modelId != null) {
      StoredModel model = findModel(modelId);
      if (log.failingNode() != null) {
        Path file = modelFiles.apply(model.id()).orElseThrow(() -> notFound("model_not_found", "The model's file is missing from the store."));
        match = ModelNodeMatch.of(log.failingNode(), OnnxModelReader.read(file), log.tensorrtVersion());
      }
    }
    Responses.json(ctx, 200, LogExplainer.toJsonTree(log, match));
  }

  private synchronized ConversionHost host() throws IOException {
    if (closed) {
      throw new UserFacingException(Kind.UNAVAILABLE, "stopping", "The server is stopping; try again once it is back.");
    }
    if (host == null) {
      // Opened on demand, and again after a failure: Docker may start after the server.
      host = ConversionHost.open(settings.docker(), settings.runner(), settings.dataDir(), settings.conversion());
    }
    return host;
  }

  private ConversionJob job(Context ctx) {
    ConversionJob job = jobs.get(ctx.pathParam("id"));
    if (job == null) {
      throw notFound("conversion_not_found", "No conversion has the id '" + shorten(ctx.pathParam("id"))
          + "'; ids are returned by POST " + WebServer.API + "/models/{id}/conversions and last until the server restarts.");
    }
    return job;
  }

  private StoredModel findModel(String id) throws IOException {
    return models.find(id).orElseThrow(() -> notFound("model_not_found",
        "no model has the id '" + shorten(id) + "'; ids are the 64 hex digits returned by POST " + WebServer.API + "/models"));
  }

  private static JsonNode readBody(Context ctx) {
    try {
      JsonNode body = Json.mapper().readTree(ctx.body());
      if (body == null || !body.isObject()) {
        throw new IOException("not an object");
      }
      return body;
    } catch (IOException e) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_body",
          "The body must be a JSON object like {\"versions\": [\"8.6\"], \"precisions\": [\"fp16\"]}.");
    }
  }

  private static List<JsonNode> list(JsonNode body, String field, boolean required) {
    JsonNode n = body.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new UserFacingException(Kind.BAD_REQUEST, "invalid_body", "'" + field + "' is required: a list such as [\"8.6\", \"10.3\"].");
      }
      return List.of();
    }
    if (!n.isArray() || (required && n.isEmpty())) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_body", "'" + field + "' must be a non-empty list of strings.");
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  static Map<String, ShapeRange> shapes(JsonNode n) {
    Map<String, ShapeRange> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_shapes",
          "'shapes' must be an object: {\"input\": \"1x3x224x224\"} or {\"input\": \"MIN/OPT/MAX\"}.");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), ConversionRequest.shapeRange(e.getValue().asText()));
    }
    return out;
  }

  static Duration timeout(JsonNode n) {
    if (n == null || n.isNull()) {
      return DEFAULT_TIMEOUT;
    }
    if (!n.canConvertToLong() || n.asLong() < 1 || n.asLong() > MAX_TIMEOUT.toSeconds()) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_timeout",
          "'timeoutSeconds' must be a whole number from 1 to " + MAX_TIMEOUT.toSeconds() + ".");
    }
    return Duration.ofSeconds(n.asLong());
  }

  private static UserFacingException notFound(String error, String detail) {
    return new UserFacingException(Kind.NOT_FOUND, error, detail);
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /** Stops taking work, cancels running conversions (their containers are removed) and stops the workers. */
  @Override
  public void close() {
    ConversionHost h;
    synchronized (this) {
      closed = true;
      h = host;
    }
    // Queued conversions are dropped; running ones are interrupted, which cancels their containers.
    executor.shutdownNow();
    if (h != null) {
      h.close();
    }
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
