package dev.trtcompat.check;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.precision.Gpu;
import dev.trtcompat.precision.PrecisionFacts;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.ReleaseRules;
import java.util.ArrayList;
import java.util.List;

/**
 * The static checker: for a parsed model and each TensorRT release of the knowledge base, a verdict and
 * node-level findings, without a GPU or a TensorRT install. Thread-safe; share one instance.
 */
public final class CompatibilityChecker {

  private final KnowledgeBase kb;
  private final PrecisionCheck precisions;
  private final GpuFilter gpuFilter;

  public CompatibilityChecker(KnowledgeBase kb) {
    this(kb, PrecisionFacts.bundled());
  }

  public CompatibilityChecker(KnowledgeBase kb, PrecisionFacts precisionFacts) {
    this.kb = kb;
    this.precisions = new PrecisionCheck(precisionFacts);
    this.gpuFilter = new GpuFilter(precisionFacts);
  }

  /** A checker over the knowledge base bundled in the jar. */
  public static CompatibilityChecker bundled() {
    return new CompatibilityChecker(KnowledgeBase.bundled());
  }

  public KnowledgeBase knowledgeBase() {
    return kb;
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
    List<ReleaseRules> selected = select(releases);
    ModelIndex ix = ModelIndex.of(model);
    QdqIndex qdq = QdqIndex.of(ix);
    List<ReleaseResult> results = new ArrayList<>(selected.size());
    for (ReleaseRules rel : selected) {
      ReleaseResult parse = checkRelease(ix, rel);
      results.add(parse.withPrecisions(precisions.check(rel, ix, qdq, parse)));
    }
    OpsetAdvice advice = new AdviceWriter(kb).advise(model, selected, results);
    return new CompatibilityReport(ModelSummary.of(model), List.copyOf(results), advice,
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

  private List<ReleaseRules> select(List<String> releases) {
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

  private ReleaseResult checkRelease(ModelIndex ix, ReleaseRules rel) {
    Findings out = new Findings();
    new ModelRules(kb, rel, ix, out).check();
    NodeRules nodes = new NodeRules(kb, rel, ix, out);
    for (NodeSite s : ix.sites) {
      nodes.check(s);
    }
    return ReleaseResult.of(rel, out.list);
  }
}
