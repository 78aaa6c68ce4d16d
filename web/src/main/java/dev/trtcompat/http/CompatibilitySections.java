package dev.trtcompat.http;

import dev.trtcompat.html.Html;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.matrix.FindingsView;
import dev.trtcompat.matrix.MatrixApi;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.models.StoredModel;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The model page's "TensorRT compatibility" section (the matrix of predicted and measured cells, the chart,
 * findings per release, opset advice and the ONNX Runtime reference row; drawn by {@link MatrixApi}) and its
 * "Graph" section (every main-graph node, the anchors findings link to, the failing node of a real parse
 * marked). Everything the model controls (node names, ops, messages quoting them) goes through {@link Html}.
 */
final class CompatibilitySections {

  static final String COMPATIBILITY = "compatibility";
  static final String GRAPH = "graph";

  private final Compatibility compatibility;
  private final MatrixApi matrix;

  /** Without jobs: the matrix shows predictions and the reference row only. */
  CompatibilitySections(Compatibility compatibility, Function<String, MatrixReport.Reference> references,
      TensorRtImageCatalog images) {
    this(compatibility, references, images, id -> Optional.empty());
  }

  /** With measured cells from each model's latest job. */
  CompatibilitySections(Compatibility compatibility, Function<String, MatrixReport.Reference> references,
      TensorRtImageCatalog images, Function<String, Optional<Job>> latestJob) {
    this.compatibility = compatibility;
    this.matrix = new MatrixApi(compatibility.store(), id -> compatibility.analysis(id).report(), latestJob,
        references, images);
  }

  /** The matrix routes over the same sources as the section: JSON, CSV and the live fragment. */
  MatrixApi matrix() {
    return matrix;
  }

  /** The answer first: accepted releases, the first blocker of the others, what was measured. */
  ModelPageSection verdict() {
    return ModelPageSection.of(VerdictSection.ID, "Verdict",
        (h, m) -> VerdictSection.render(h, compatibility.analysis(m.id()).report(), matrix.report(m.id())))
        .showingAnalysis();
  }

  ModelPageSection compatibility() {
    return ModelPageSection.withQuery(COMPATIBILITY, "TensorRT compatibility", this::compatibility).showingAnalysis();
  }

  ModelPageSection graph() {
    return ModelPageSection.withQuery(GRAPH, "Graph", this::graph).showingAnalysis();
  }

  List<ModelPageSection> sections() {
    return List.of(compatibility(), graph());
  }


  /** The matrix, filtered for the GPU the page was asked for ({@code ?gpu=sm_89}), if any. */
  private void compatibility(Html h, StoredModel m, java.util.Map<String, List<String>> query) {
    List<String> gpu = query.getOrDefault("gpu", List.of());
    matrix.renderSection(h, m.id(), gpu.isEmpty() ? null : gpu.get(0), FindingsView.from(query));
  }

  /** A page of the graph listing ({@link GraphListing}), the failing node of a real parse marked. */
  private void graph(Html h, StoredModel m, java.util.Map<String, List<String>> query) {
    List<ModelAnalysis.GraphNode> nodes = compatibility.analysis(m.id()).nodes();
    Set<Integer> failing = nodes.isEmpty() ? Set.of() : Set.copyOf(matrix.report(m.id()).failingNodes());
    GraphListing.render(h, nodes, failing, query);
  }
}
