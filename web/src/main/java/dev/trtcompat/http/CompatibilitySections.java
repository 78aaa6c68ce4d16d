package dev.trtcompat.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.OpsetAdvice;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.images.TensorRtImage;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.models.StoredModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The model page's "TensorRT compatibility" section (the matrix, findings per release, opset advice and the
 * measured ONNX Runtime reference row) and its "Graph" section (every main-graph node, the anchors findings
 * link to). Everything the model controls (node names, ops, messages quoting them) goes through {@link Html}.
 */
final class CompatibilitySections {

  static final String COMPATIBILITY = "compatibility";
  static final String GRAPH = "graph";

  private final Compatibility compatibility;
  private final ReferenceRuns references;
  private final TensorRtImageCatalog images;

  CompatibilitySections(Compatibility compatibility, ReferenceRuns references, TensorRtImageCatalog images) {
    this.compatibility = compatibility;
    this.references = references;
    this.images = images;
  }

  List<ModelPageSection> sections() {
    return List.of(
        ModelPageSection.of(COMPATIBILITY, "TensorRT compatibility", this::compatibility),
        ModelPageSection.of(GRAPH, "Graph", this::graph));
  }


  private void compatibility(Html h, StoredModel m) {
    CompatibilityReport r = compatibility.analysis(m.id()).report();
    h.open("p", "class", "hint")
        .text("Predicted from the model and each release's ONNX parser rules, without a GPU. ")
        .open("a", "href", WebServer.API + "/models/" + m.id() + "/compatibility").text("JSON").close("a")
        .close("p");
    h.open("table", "class", "data matrix");
    h.open("thead").open("tr")
        .element("th", "Target").element("th", "Container").element("th", "CUDA").element("th", "Verdict")
        .element("th", "Errors").element("th", "Warnings").element("th", "Kind")
        .close("tr").close("thead");
    h.open("tbody");
    for (ReleaseResult rr : r.results()) {
      Optional<TensorRtImage> image = images.newestFor(rr.tensorrt());
      h.open("tr", "class", "predicted", "id", "trt-" + rr.tensorrt().replace('.', '-'));
      h.element("td", "TensorRT " + rr.tensorrt());
      h.element("td", image.map(i -> "tensorrt:" + i.tag()).orElse("-"), "class", "mono");
      h.element("td", image.map(TensorRtImage::cudaVersion).filter(c -> !c.isEmpty()).orElse("-"));
      h.element("td", rr.verdict().json().replace('_', ' '), "class", "verdict verdict-" + rr.verdict().json());
      h.element("td", rr.errors(), "class", "num");
      h.element("td", rr.warnings(), "class", "num");
      h.element("td", "predicted", "class", "kind");
      h.close("tr");
    }
    referenceRow(h, m);
    h.close("tbody").close("table");
    findings(h, r);
    advice(h, r.opsetAdvice());
  }

  /** The measured row: ONNX Runtime's own timings, or the button that starts a run. */
  private void referenceRow(Html h, StoredModel m) {
    ReferenceState s;
    try {
      s = references.state(m.id());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    h.open("tr", "class", "measured", "id", "reference");
    h.element("td", "ONNX Runtime CPU FP32 (reference)");
    h.open("td", "colspan", "5");
    switch (s.state()) {
      case ReferenceState.SUCCEEDED -> measured(h, s.result());
      case ReferenceState.QUEUED, ReferenceState.RUNNING ->
          h.element("span", "Run " + s.state() + " since " + s.updatedAt() + "; reload to see the result.", "class", "state");
      default -> {
        if (ReferenceState.FAILED.equals(s.state())) {
          h.element("p", "Failed: " + s.error(), "class", "error");
        }
        h.open("form", "method", "post", "action", "/models/" + m.id() + "/reference", "class", "inline");
        h.element("button", ReferenceState.FAILED.equals(s.state()) ? "Run again" : "Run on ONNX Runtime (CPU)", "type", "submit");
        h.close("form");
      }
    }
    h.close("td");
    h.element("td", "measured", "class", "kind");
    h.close("tr");
  }

  private static void measured(Html h, JsonNode result) {
    JsonNode l = result.path("latencyMs");
    h.text(String.format(Locale.ROOT, "latency median %.3f ms, p99 %.3f ms · %.1f runs/s · %d thread(s) · ONNX Runtime %s · %d runs",
        l.path("median").asDouble(), l.path("p99").asDouble(), result.path("throughputPerSec").asDouble(),
        result.path("threads").asInt(), result.path("onnxruntimeVersion").asText(), result.path("runs").asInt()));
  }

  private static void findings(Html h, CompatibilityReport r) {
    for (ReleaseResult rr : r.results()) {
      if (rr.findings().isEmpty()) {
        continue;
      }
      h.open("details", "class", "findings", "id", "findings-" + rr.tensorrt().replace('.', '-'));
      h.element("summary", "TensorRT " + rr.tensorrt() + ": " + rr.findings().size() + " finding(s)");
      h.open("table", "class", "data");
      h.open("thead").open("tr").element("th", "Severity").element("th", "Op").element("th", "Node")
          .element("th", "Rule").element("th", "Message").element("th", "Fix").close("tr").close("thead");
      h.open("tbody");
      for (Finding f : rr.findings()) {
        h.open("tr", "class", "severity-" + f.severity().json());
        h.element("td", f.severity().json());
        h.element("td", f.op() == null ? "" : f.op(), "class", "mono");
        h.open("td", "class", "mono");
        node(h, f);
        h.close("td");
        h.element("td", f.rule(), "class", "mono");
        h.element("td", f.message());
        h.element("td", f.fix());
        h.close("tr");
      }
      h.close("tbody").close("table");
      h.close("details");
    }
  }

  /** A link to the node's row in the graph section; for a subgraph node, its path as text after the link. */
  private static void node(Html h, Finding f) {
    if (f.nodeIndex() == null) {
      h.text(f.node() == null ? "model" : f.node());
      return;
    }
    boolean nested = f.path() != null && !f.path().equals(f.node());
    h.open("a", "href", "#node-" + f.nodeIndex()).text("#" + f.nodeIndex() + (nested ? "" : " " + f.node())).close("a");
    if (nested) {
      h.text(" " + f.path());
    }
  }

  private static void advice(Html h, OpsetAdvice a) {
    h.element("h3", "Opset advice");
    h.open("dl", "class", "facts");
    h.element("dt", "Model opset").element("dd", a.modelOpset());
    h.element("dt", "Releases parsing this opset")
        .element("dd", a.releasesParsingOpset().isEmpty() ? "none" : String.join(", ", a.releasesParsingOpset()));
    h.element("dt", "Oldest release accepting the model")
        .element("dd", a.oldestAcceptingRelease() == null ? "none" : "TensorRT " + a.oldestAcceptingRelease());
    OpsetAdvice.PyTorchAdvice p = a.pytorch();
    if (p != null) {
      h.element("dt", "PyTorch exporter").element("dd", p.torch() == null
          ? "producer version " + p.producerVersion() + " not recognised"
          : "torch " + p.torch() + (p.exporterOpsets() == null ? "" : ", exports opsets " + range(p.exporterOpsets())));
      for (Map.Entry<String, List<Integer>> e : p.opsetRangePerRelease().entrySet()) {
        h.element("dt", "torch.onnx.export for TensorRT " + e.getKey()).element("dd", "opset_version " + range(e.getValue()));
      }
    }
    h.close("dl");
    if (!a.advice().isEmpty()) {
      h.open("ul", "class", "advice");
      a.advice().forEach(line -> h.element("li", line));
      h.close("ul");
    }
  }

  private static String range(List<Integer> minMax) {
    return minMax.size() == 2 ? minMax.get(0) + "–" + minMax.get(1) : String.valueOf(minMax);
  }

  private void graph(Html h, StoredModel m) {
    List<ModelAnalysis.GraphNode> nodes = compatibility.analysis(m.id()).nodes();
    if (nodes.isEmpty()) {
      h.element("p", "The main graph has no nodes.");
      return;
    }
    h.open("table", "class", "data graph");
    h.open("thead").open("tr").element("th", "#").element("th", "Op").element("th", "Name")
        .element("th", "Inputs").element("th", "Outputs").close("tr").close("thead");
    h.open("tbody");
    for (ModelAnalysis.GraphNode n : nodes) {
      h.open("tr", "id", "node-" + n.index());
      h.element("td", n.index(), "class", "num");
      h.element("td", n.op(), "class", "mono");
      h.element("td", n.name(), "class", "mono");
      h.element("td", String.join(", ", n.inputs()), "class", "mono");
      h.element("td", String.join(", ", n.outputs()), "class", "mono");
      h.close("tr");
    }
    h.close("tbody").close("table");
  }
}
