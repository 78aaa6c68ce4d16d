package dev.trtcompat.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.concurrent.Futures;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The static compatibility check of stored models: {@code GET /api/v1/models/{id}/compatibility} and the data
 * behind the page's compatibility and graph sections.
 *
 * <p>Reports over all releases are cached in memory, a few dozen models at most: the checker takes
 * milliseconds, reading a large model's graph takes longer, and the page and the API ask for the same model in
 * a row. The knowledge base is fixed for the process's life (it is bundled in the jar), so the model id is the
 * whole key; a new knowledge base means a new server process and an empty cache.
 *
 * <p>An upload asks for its model's analysis at once, on one background thread ({@link #prepare}), so that the
 * first view of a new model finds it done or waits for the computation already running instead of starting
 * another: one computation per model at a time, however many requests arrive meanwhile. The model page does not
 * wait for a large model's analysis ({@link #atHandWithin}): it shows what the upload already knows and fills in
 * the rest when the analysis is done.
 */
final class Compatibility implements AutoCloseable {

  static final int CACHED_MODELS = 32;
  /** Uploads waiting for their background analysis; beyond this the oldest wait for their first view instead. */
  static final int PREPARE_QUEUE = 8;

  /** Below this many nodes the page waits for the analysis, which takes a fraction of a second. */
  static final int PLACEHOLDERS_FROM_NODES = 5_000;
  /** How long a larger model's page waits for its analysis before answering with placeholders. */
  static final Duration PAGE_WAIT = Duration.ofMillis(100);

  private static final Logger LOG = LoggerFactory.getLogger(Compatibility.class);

  private final ModelStore store;
  private final CompatibilityChecker checker;
  private final Map<String, ModelAnalysis> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ModelAnalysis> eldest) {
      return size() > CACHED_MODELS;
    }
  };

  private final Map<String, CompletableFuture<ModelAnalysis>> inFlight = new ConcurrentHashMap<>();
  /** Handed to the background thread and not finished there yet (waiting in its queue or computing). */
  private final Set<String> queued = ConcurrentHashMap.newKeySet();
  /** Models whose last background analysis failed: the next page view computes again to report the error. */
  private final Set<String> failed = ConcurrentHashMap.newKeySet();
  private final ExecutorService background;
  private final AtomicLong computed = new AtomicLong();

  Compatibility(ModelStore store, CompatibilityChecker checker) {
    this.store = store;
    this.checker = checker;
    // One thread: analyses are CPU-bound and the requests they serve must keep the other core. A full queue
    // refuses the newest (its next view asks again).
    this.background = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(PREPARE_QUEUE), r -> {
      Thread t = new Thread(r, "model-analysis");
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.AbortPolicy());
    ((ThreadPoolExecutor) background).allowCoreThreadTimeOut(true);
  }

  ModelStore store() {
    return store;
  }

  /** {@code GET /api/v1/models/{id}/compatibility[?trt=8.6&trt=10.0]}: the JSON of {@code check --json}. */
  void get(Context ctx) {
    String id = ctx.pathParam("id");
    List<String> releases = ctx.queryParams("trt");
    CompatibilityReport report = releases.isEmpty()
        ? analysis(id).report()
        : checker.check(OnnxModelReader.read(file(id)), releases);
    if (ctx.queryParam("offset") == null && ctx.queryParam("limit") == null) {
      Responses.json(ctx, 200, report);
      return;
    }
    Responses.json(ctx, 200, findingsPage(report, whole(ctx, "offset", 0), whole(ctx, "limit", Integer.MAX_VALUE)));
  }

  /**
   * The report with each release's findings cut to {@code [offset, offset + limit)}: a release of a 300k-node model
   * can have tens of thousands. Each result gains {@code findingsTotal}; the report gains the {@code offset} and
   * {@code limit} applied. Errors and warnings still count every finding.
   */
  static ObjectNode findingsPage(CompatibilityReport report, int offset, int limit) {
    ObjectNode body = Json.mapper().valueToTree(report);
    for (JsonNode result : body.withArray("results")) {
      ArrayNode all = (ArrayNode) result.get("findings");
      int total = all == null ? 0 : all.size();
      ArrayNode slice = Json.mapper().createArrayNode();
      for (long i = offset; i < total && i < (long) offset + limit; i++) {
        slice.add(all.get((int) i));
      }
      ((ObjectNode) result).set("findings", slice);
      ((ObjectNode) result).put("findingsTotal", total);
    }
    body.put("offset", offset);
    if (limit != Integer.MAX_VALUE) {
      body.put("limit", limit);
    }
    return body;
  }

  /**
   * {@code GET /api/v1/models/{id}/nodes[?q=&op=&offset=&limit=]}: the main graph's nodes in order, all of them by
   * default; {@code q} (name or op, case-insensitive substring) and {@code op} (exact op type) filter them, and
   * {@code offset}/{@code limit} take a slice; {@code total} counts every node that passed the filters.
   */
  void nodes(Context ctx) {
    List<ModelAnalysis.GraphNode> all = analysis(ctx.pathParam("id")).nodes();
    String q = ctx.queryParam("q");
    String op = ctx.queryParam("op");
    List<ModelAnalysis.GraphNode> matching = GraphListing.filter(all, q, op);
    int offset = whole(ctx, "offset", 0);
    int limit = whole(ctx, "limit", Integer.MAX_VALUE);
    List<ModelAnalysis.GraphNode> slice = offset >= matching.size() ? List.of()
        : matching.subList(offset, (int) Math.min(matching.size(), (long) offset + limit));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("total", matching.size());
    body.put("offset", offset);
    body.put("limit", limit == Integer.MAX_VALUE ? matching.size() : limit);
    body.put("nodes", slice);
    Responses.json(ctx, 200, body);
  }

  /** A non-negative whole-number query parameter, or {@code absent} when it is not given. */
  private static int whole(Context ctx, String name, int absent) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) {
      return absent;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST,
        "bad_" + name, name + " must be a whole number from 0, not '" + v + "'");
  }

  /**
   * Starts computing a stored model's analysis in the background (a just-uploaded model), unless it is cached or
   * already being computed. A failure is left for the first request, which computes again and reports it.
   */
  void prepare(String id) {
    synchronized (cache) {
      if (cache.containsKey(id) || inFlight.containsKey(id) || !queued.add(id)) {
        return;
      }
    }
    try {
      background.execute(() -> {
        try {
          analysis(id);
          failed.remove(id);
        } catch (RuntimeException e) {
          failed.add(id);
          LOG.debug("background analysis of {} failed; its next view reports it", id, e);
        } finally {
          queued.remove(id);
        }
      });
    } catch (RejectedExecutionException full) {
      queued.remove(id);
    }
  }

  /**
   * Whether the model page can show the analysis now: always for a small model (the sections compute it or wait for
   * it), otherwise if it is done within {@link #PAGE_WAIT}.
   */
  boolean atHandForPage(StoredModel m) {
    return m.summary().nodeCount() < PLACEHOLDERS_FROM_NODES || atHandWithin(m.id(), PAGE_WAIT);
  }

  /**
   * Whether the model's analysis is at hand, waiting up to {@code wait} for one in flight and starting one in the
   * background when none is. A model whose background analysis failed counts as at hand: the caller computes it
   * again and so reports the error rather than waiting for ever.
   */
  boolean atHandWithin(String id, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    if (failed.remove(id)) {
      return true;
    }
    prepare(id);
    while (true) {
      CompletableFuture<ModelAnalysis> running;
      synchronized (cache) {
        if (cache.containsKey(id)) {
          return true;
        }
        running = inFlight.get(id);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        if (running != null) {
          running.get(left, TimeUnit.NANOSECONDS);
        } else if (queued.contains(id)) {
          Thread.sleep(Math.min(5, TimeUnit.NANOSECONDS.toMillis(left) + 1)); // waiting in the queue
        } else {
          synchronized (cache) { // finished meanwhile: cached before it left the queue, else failed or forgotten
            if (cache.containsKey(id)) {
              return true;
            }
          }
          return failed.remove(id);
        }
      } catch (ExecutionException e) {
        return true;
      } catch (TimeoutException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /**
   * The report over every release plus the graph listing, computed once per model while cached; a request that
   * arrives while it is being computed (in the background after the upload, or for another request) waits for it.
   */
  ModelAnalysis analysis(String id) {
    CompletableFuture<ModelAnalysis> mine = new CompletableFuture<>();
    CompletableFuture<ModelAnalysis> running;
    synchronized (cache) {
      ModelAnalysis hit = cache.get(id);
      if (hit != null) {
        return hit;
      }
      running = inFlight.putIfAbsent(id, mine);
    }
    if (running != null) {
      // the computing thread's own exception (a UserFacingException keeps its kind and message)
      return Futures.join(running);
    }
    try {
      long started = System.nanoTime();
      OnnxModel model = OnnxModelReader.read(file(id));
      ModelAnalysis result = new ModelAnalysis(checker.check(model), nodes(model));
      computed.incrementAndGet();
      LOG.info("analysis of model {} ({} nodes) ready in {} ms", id, result.nodes().size(),
          (System.nanoTime() - started) / 1_000_000);
      synchronized (cache) {
        if (inFlight.get(id) == mine) { // forgotten (deleted) meanwhile: answer, but do not keep
          cache.put(id, result);
        }
      }
      mine.complete(result);
      return result;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(id, mine);
    }
  }

  /** Analyses computed so far (not answered from the cache or from another request's computation): for tests. */
  long computedCount() {
    return computed.get();
  }

  /** Drops a deleted model's cached analysis. */
  void forget(String id) {
    synchronized (cache) {
      cache.remove(id);
      inFlight.remove(id);
    }
    failed.remove(id);
  }

  /** Stops the background thread; an analysis it is computing is abandoned. */
  @Override
  public void close() {
    background.shutdownNow();
  }

  private Path file(String id) {
    return store.modelFile(id).orElseThrow(() -> ModelApi.notFound(id));
  }

  private static List<ModelAnalysis.GraphNode> nodes(OnnxModel model) {
    List<NodeProto> nodes = model.graph().nodes();
    List<ModelAnalysis.GraphNode> out = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      String op = n.getDomain().isEmpty() || n.getDomain().equals(OnnxModel.DEFAULT_DOMAIN)
          ? n.getOpType() : n.getDomain() + "::" + n.getOpType();
      out.add(new ModelAnalysis.GraphNode(i, op, n.getName(), List.copyOf(n.getInputList()), List.copyOf(n.getOutputList())));
    }
    return out;
  }
}
