package dev.trtcompat.check;

import dev.trtcompat.concurrent.DaemonThreads;
import dev.trtcompat.concurrent.Futures;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.precision.Gpu;
import dev.trtcompat.precision.PrecisionFacts;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.ReleaseRules;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The static checker: for a parsed model and each TensorRT release of the knowledge base, a verdict and
 * node-level findings, without a GPU or a TensorRT install. Thread-safe; share one instance.
 */
public final class CompatibilityChecker {

  private final CompletableFuture<KnowledgeBase> knowledgeBase;
  private final PrecisionCheck precisions;
  private final GpuFilter gpuFilter;

  public CompatibilityChecker(KnowledgeBase kb) {
    this(kb, PrecisionFacts.bundled());
  }

  public CompatibilityChecker(KnowledgeBase kb, PrecisionFacts precisionFacts) {
    this(CompletableFuture.completedFuture(kb), precisionFacts);
  }

  private CompatibilityChecker(CompletableFuture<KnowledgeBase> kb, PrecisionFacts precisionFacts) {
    this.knowledgeBase = kb;
    this.precisions = new PrecisionCheck(precisionFacts);
    this.gpuFilter = new GpuFilter(precisionFacts);
  }

  /**
   * A checker over the knowledge base bundled in the jar. The first call starts loading it on a thread of its own
   * and returns at once; the first check waits for it. A one-shot {@code check} reads its model meanwhile, so the
   * two overlap instead of adding up (docs/benchmarks.md, "The 300k-node check, fifth session").
   */
  public static CompatibilityChecker bundled() {
    return new CompatibilityChecker(BundledLoad.KNOWLEDGE_BASE, PrecisionFacts.bundled());
  }

  /** The bundled knowledge base's one load, started by the first {@link #bundled()}. */
  private static final class BundledLoad {
    static final CompletableFuture<KnowledgeBase> KNOWLEDGE_BASE = start();

    private static CompletableFuture<KnowledgeBase> start() {
      CompletableFuture<KnowledgeBase> kb = new CompletableFuture<>();
      DaemonThreads.named("knowledge-base-").newThread(() -> {
        try {
          kb.complete(KnowledgeBase.bundled());
        } catch (RuntimeException | Error e) {
          kb.completeExceptionally(e);
        }
      }).start();
      return kb;
    }
  }

  /** The knowledge base, once loaded; a failure to load it is rethrown here as it was thrown. */
  public KnowledgeBase knowledgeBase() {
    return Futures.join(knowledgeBase);
  }

  /** Checks every release in the knowledge base (the JSON the HTTP route and {@code check --json} return). */
  public CompatibilityReport check(OnnxModel model) {
    return check(model, List.of());
  }

  /**
   * Checks the given releases ({@code 8.6}, {@code 10.0}, ...; empty means all), oldest first.
   *
   * @throws UserFacingException BAD_REQUEST (HTTP 400, exit 2) naming the known releases when one is not in the
   *     knowledge base
   */
  public CompatibilityReport check(OnnxModel model, List<String> releases) {
    KnowledgeBase kb = knowledgeBase();
    List<ReleaseRules> selected = select(kb, releases);
    ModelIndex ix = ModelIndex.of(model);
    QdqIndex qdq = QdqIndex.of(ix);
    List<Findings> parse = checkReleases(kb, ix, selected);
    List<ReleaseResult> results = new ArrayList<>(selected.size());
    for (int i = 0; i < selected.size(); i++) {
      ReleaseRules rel = selected.get(i);
      ReleaseResult result = ReleaseResult.of(rel, parse.get(i).list);
      results.add(result.withPrecisions(precisions.check(rel, ix, qdq, result)));
    }
    OpsetAdvice advice = new AdviceWriter(kb).advise(model, selected, results);
    return new CompatibilityReport(ix.summary(), List.copyOf(results), advice,
        new Quantization(qdq.nodes.size(), List.copyOf(qdq.types)), null);
  }

  /**
   * Checks the given releases for one GPU: releases that do not support it and precisions it cannot build fail
   * (see {@link GpuFilter}); a null GPU is the same as {@link #check(OnnxModel, List)}.
   */
  public CompatibilityReport check(OnnxModel model, List<String> releases, Gpu gpu) {
    CompatibilityReport r = check(model, releases);
    return gpu == null ? r : gpuFilter.apply(r, gpu);
  }

  /** The GPU filter over the same precision facts, for reports checked earlier. */
  public GpuFilter gpuFilter() {
    return gpuFilter;
  }

  private static List<ReleaseRules> select(KnowledgeBase kb, List<String> releases) {
    if (releases == null || releases.isEmpty()) {
      return kb.releases();
    }
    List<ReleaseRules> out = new ArrayList<>();
    for (String r : releases) {
      ReleaseRules rel = kb.release(r).orElseThrow(() -> new UserFacingException(
          UserFacingException.Kind.BAD_REQUEST, "unknown_tensorrt_release",
          "TensorRT " + r + " is not in the knowledge base; known releases: " + String.join(", ",
              kb.releases().stream().map(ReleaseRules::release).toList())));
      if (!out.contains(rel)) {
        out.add(rel);
      }
    }
    out.sort((a, b) -> NodeRules.newer(a, b) ? 1 : NodeRules.newer(b, a) ? -1 : 0);
    return out;
  }

  /**
   * The parse findings of every release, in the order one release at a time would give them (model rules, then
   * node by node). Each node is evaluated once per group of releases that judge it alike ({@link ReleaseGroups}),
   * and for the group's other releases only when that found something.
   */
  private static List<Findings> checkReleases(KnowledgeBase kb, ModelIndex ix, List<ReleaseRules> selected) {
    int n = selected.size();
    List<Findings> out = new ArrayList<>(n);
    NodeRules[] nodes = new NodeRules[n];
    for (int i = 0; i < n; i++) {
      Findings f = new Findings();
      new ModelRules(kb, selected.get(i), ix, f).check();
      out.add(f);
      nodes[i] = new NodeRules(kb, selected.get(i), ix, f);
    }
    ReleaseGroups groups = new ReleaseGroups(kb, selected);
    long modelOpset = ix.model.defaultOpset();
    int[][][] groupsAtModelOpset = new int[ix.opTypes.size()][][]; // by op id: no name lookup per node
    for (NodeSite s : ix.sites) {
      int[][] gs;
      if (!s.defaultDomain()) {
        gs = groups.oneByOne();
      } else if (s.opset() == modelOpset) {
        gs = groupsAtModelOpset[s.opId()];
        if (gs == null) {
          gs = groups.of(s.op(), s.opset());
          groupsAtModelOpset[s.opId()] = gs;
        }
      } else {
        gs = groups.of(s.op(), s.opset());
      }
      for (int[] g : gs) {
        List<Finding> first = out.get(g[0]).list;
        int before = first.size();
        nodes[g[0]].check(s);
        if (first.size() != before) {
          for (int k = 1; k < g.length; k++) {
            nodes[g[k]].check(s);
          }
        }
      }
    }
    return out;
  }
}
