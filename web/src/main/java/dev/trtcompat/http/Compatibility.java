package dev.trtcompat.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import io.javalin.http.Context;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The static compatibility check of stored models: {@code GET /api/v1/models/{id}/compatibility} and the data
 * behind the page's compatibility and graph sections.
 *
 * <p>Reports over all releases are cached in memory, a few dozen models at most: the checker takes
 * milliseconds, reading a large model's graph takes longer, and the page and the API ask for the same model in
 * a row. The knowledge base is fixed for the process's life (it is bundled in the jar), so the model id is the
 * whole key; a new knowledge base means a new server process and an empty cache.
 */
final class Compatibility {

  static final int CACHED_MODELS = 32;

  private final ModelStore store;
  private final CompatibilityChecker checker;
  private final Map<String, ModelAnalysis> cache = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, ModelAnalysis> eldest) {
      return size() > CACHED_MODELS;
    }
  };

  Compatibility(ModelStore store, CompatibilityChecker checker) {
    this.store = store;
    this.checker = checker;
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
    throw new dev.trtcompat.errors.UserFacingException(dev.trtcompat.errors.UserFacingException.Kind.BAD_REQUEST,
        "bad_" + name, name + " must be a whole number from 0, not '" + v + "'");
  }

  /** The report over every release plus the graph listing, computed once per model while cached. */
  ModelAnalysis analysis(String id) {
    synchronized (cache) {
      ModelAnalysis hit = cache.get(id);
      if (hit != null) {
        return hit;
      }
    }
    OnnxModel model = OnnxModelReader.read(file(id));
    ModelAnalysis computed = new ModelAnalysis(checker.check(model), nodes(model));
    synchronized (cache) {
      cache.put(id, computed);
    }
    return computed;
  }

  /** Drops a deleted model's cached analysis. */
  void forget(String id) {
    synchronized (cache) {
      cache.remove(id);
    }
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
