package dev.trtcompat.matrix;

import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.OpsetAdvice;
import dev.trtcompat.html.Html;
import dev.trtcompat.matrix.MatrixReport.Measured;
import dev.trtcompat.matrix.MatrixReport.Reason;
import dev.trtcompat.matrix.MatrixReport.Reference;
import dev.trtcompat.precision.GpuFacts;
import dev.trtcompat.precision.PrecisionFacts;
import dev.trtcompat.units.ByteSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model page's "TensorRT compatibility" section body: the matrix (predicted badge and measured figures per
 * cell), the chart, live logs of running cells, findings per release and opset advice. The same markup is the
 * fragment {@code GET /models/{id}/matrix} the page re-fetches on every cell event. Model-controlled text goes
 * through {@link Html}; no inline style or script (the page's CSP forbids both).
 */
public final class MatrixSection {

  /** The element the live script replaces with a fresh fragment. */
  public static final String BODY_ID = "matrix-body";

  /**
   * Findings listed inside each cell; the rest are one link away in the release's findings list. Every cell
   * of a row repeats its release's findings, so a model with hundreds of findings would otherwise make the
   * page grow by releases x precisions x findings.
   */
  static final int REASONS_PER_CELL = 5;

  private MatrixSection() {}

  public static void render(Html h, MatrixReport r, CompatibilityReport check) {
    render(h, r, check, PrecisionFacts.bundled().gpus(), null, null);
  }

  /**
   * @param gpuText the {@code gpu} parameter as given (kept in the form and the live re-render); null for none
   * @param gpuProblem why the given GPU was not understood; null when it was (or none was given)
   */
  public static void render(Html h, MatrixReport r, CompatibilityReport check, GpuFacts gpus, String gpuText,
      String gpuProblem) {
    render(h, r, check, gpus, gpuText, gpuProblem, FindingsView.FIRST);
  }

  /** @param view which findings each release's table shows (search, kind, page) */
  public static void render(Html h, MatrixReport r, CompatibilityReport check, GpuFacts gpus, String gpuText,
      String gpuProblem, FindingsView view) {
    h.open("div", "id", BODY_ID, "data-model-id", r.modelId(), "data-job-id", r.jobId() == null ? "" : r.jobId().toString(),
        "data-gpu", r.gpu() == null ? "" : r.gpu().name());
    h.open("p", "class", "hint")
        .text("Each cell shows the static prediction (badge, from the model and each release's ONNX parser rules) and, "
            + "once a container run measured it, the real outcome below it. ")
        .open("a", "href", "/api/v1/models/" + r.modelId() + "/matrix").text("JSON").close("a").text(" · ")
        .open("a", "href", "/api/v1/models/" + r.modelId() + "/matrix.csv").text("CSV").close("a").text(" · ")
        .open("a", "href", "/api/v1/models/" + r.modelId() + "/compatibility").text("static check JSON").close("a")
        .close("p");
    gpuChoice(h, r, gpus, gpuText, gpuProblem);
    if (r.jobId() != null) {
      h.element("p", "Measured cells from job " + r.jobId() + " (" + r.jobCreatedAt() + ")"
          + (r.jobUnfinished() ? ", still running: this table updates live." : "."), "class", "job-line");
    }
    table(h, r);
    liveLogs(h, r);
    h.element("h3", "Latency and throughput");
    MatrixChart.render(h, r);
    FindingsTables.render(h, check, view);
    advice(h, check.opsetAdvice());
    h.close("div");
  }

  /** A plain GET form (works without script) choosing the GPU the predictions are filtered for. */
  private static void gpuChoice(Html h, MatrixReport r, GpuFacts gpus, String gpuText, String gpuProblem) {
    String selected = r.gpu() == null ? "" : r.gpu().name();
    h.open("form", "class", "gpu-choice", "method", "get", "action", "/models/" + r.modelId() + "#compatibility");
    h.element("label", "GPU ", "for", "gpu-select");
    h.open("select", "name", "gpu", "id", "gpu-select");
    h.option("", "any GPU (each cell says what it assumes)", selected);
    for (GpuFacts.GpuName g : gpus.gpus()) {
      h.option(g.name(), g.name() + " (" + g.sm().sm() + ")", selected);
    }
    for (GpuFacts.Architecture a : gpus.architectures()) {
      h.option(a.sm().sm(), a.sm().sm() + " (" + a.family() + ")", selected);
    }
    h.close("select");
    h.element("button", "Filter", "type", "submit", "class", "small");
    h.close("form");
    if (gpuProblem != null) {
      h.element("p", gpuProblem, "class", "error gpu-problem");
    } else if (r.gpu() != null) {
      h.element("p", "Predictions for " + r.gpu().name() + " (compute capability " + r.gpu().computeCapability()
          + (r.gpu().family() == null ? ", not in the knowledge base" : ", " + r.gpu().family())
          + "): releases not documented for it and precisions it cannot build are not counted as compatible.",
          "class", "gpu-line");
    } else if (gpuText != null && !gpuText.isBlank()) {
      h.element("p", "GPU '" + gpuText + "' ignored.", "class", "hint");
    }
  }


  private static void table(Html h, MatrixReport r) {
    h.open("table", "id", "matrix", "class", "data matrix", "data-model-id", r.modelId());
    h.open("thead").open("tr").element("th", "TensorRT").element("th", "Container").element("th", "CUDA");
    for (String p : r.precisions()) {
      h.element("th", r.columnLabel(p), "class", "precision", "data-precision", p);
    }
    h.close("tr").close("thead");
    h.open("tbody");
    for (MatrixReport.Row row : r.rows()) {
      List<String> rowAttrs = new ArrayList<>(List.of("data-trt", row.tensorrt(), "data-kb",
          Boolean.toString(row.inKnowledgeBase()), "id", "trt-" + row.tensorrt().replace('.', '-'), "class",
          !row.inKnowledgeBase() ? "release not-in-kb" : row.derivedFrom() != null ? "release derived" : "release"));
      if (row.derivedFrom() != null) {
        rowAttrs.addAll(List.of("data-derived-from", row.derivedFrom()));
      }
      h.open("tr", rowAttrs.toArray(String[]::new));
      h.open("th", "scope", "row").text("TensorRT " + row.tensorrt());
      if (!row.inKnowledgeBase()) {
        h.element("span", "not in the knowledge base", "class", "note");
      } else if (row.derivedFrom() != null) {
        // Lower certainty, said in words: this release's own table and importer code were not read.
        h.element("span", "derived from " + row.derivedFrom() + " + changelog", "class", "badge derived",
            "title", "TensorRT " + row.tensorrt() + "'s operator table and importer code were not read here; the"
                + " prediction uses TensorRT " + row.derivedFrom() + "'s rules plus the parser changelog, so it is"
                + " less certain than for a release read from source.");
      }
      h.close("th");
      h.element("td", row.containerTag() == null ? "-" : "tensorrt:" + row.containerTag(), "class", "mono");
      h.element("td", row.cuda() == null ? "-" : row.cuda());
      for (MatrixReport.Cell c : row.cells()) {
        cell(h, row, c);
      }
      h.close("tr");
    }
    referenceRow(h, r);
    h.close("tbody").close("table");
  }

  private static void cell(Html h, MatrixReport.Row row, MatrixReport.Cell c) {
    List<String> attrs = new ArrayList<>(List.of("class", "cell", "data-precision", c.precision(),
        "data-predicted", c.predicted().verdict(), "data-state", c.state(), "data-label", c.label()));
    if (c.predicted().placeholderScales()) {
      attrs.addAll(List.of("data-placeholder-scales", "true"));
    }
    if (c.contradiction() != null) {
      attrs.addAll(List.of("data-contradiction", "true"));
    }
    h.open("td", attrs.toArray(String[]::new));
    h.element("span", (row.derivedFrom() != null ? "predicted (derived): " : "predicted: ") + c.predicted().verdict(),
        "class", "badge verdict verdict-" + c.predicted().verdict() + (row.derivedFrom() != null ? " derived" : ""));
    if (c.predicted().placeholderScales()) {
      h.element("span", "placeholder scales: timings real, accuracy meaningless", "class", "note placeholder-scales");
    }
    if (MatrixReport.Cell.INT8_QDQ.equals(c.label())) {
      h.element("span", "calibrated Q/DQ scales from the model", "class", "note qdq-scales");
    } else if (MatrixReport.Cell.INT8_QDQ_RANDOM.equals(c.label())) {
      h.element("span", "Q/DQ scales from random calibration data: timings real, accuracy meaningless", "class",
          "note random-scales");
    }
    Measured m = c.measured();
    if (m != null) {
      h.open("div", "class", "measured state-" + m.state());
      h.element("span", "measured: " + m.state() + (m.outcome() == null || "success".equals(m.outcome()) ? "" : " (" + m.outcome().replace('_', ' ') + ")"),
          "class", "state");
      String figures = figures(m);
      if (!figures.isEmpty()) {
        h.element("span", figures, "class", "figures");
      }
      qdqEvidence(h, m);
      if (m.engineSha256() != null) {
        h.open("a", "class", "engine-download", "href", m.engineUrl(), "data-sha256", m.engineSha256(), "download", null)
            .text("Download engine").close("a");
      }
      actions(h, m);
      h.close("div");
    }
    if (c.contradiction() != null) {
      h.element("p", c.contradiction(), "class", "contradiction");
    }
    details(h, row, c);
    h.close("td");
  }

  /** What an INT8 build's log shows about a Q/DQ model's scales, in short; the sentence is in the title. */
  private static void qdqEvidence(Html h, Measured m) {
    if (m.qdqEvidence() == null) {
      return;
    }
    String text = switch (m.qdqEvidence()) {
      case "shown" -> "log: explicit quantization (scales from the model's Q/DQ nodes, not a calibrator)";
      case "missing" -> "warning: the log shows no explicit quantization";
      default -> "strongly typed: the log cannot show the Q/DQ scales in use";
    };
    h.element("span", text, "class", "qdq-evidence qdq-evidence-" + m.qdqEvidence(), "title", m.qdqEvidenceMessage() == null ? "" : m.qdqEvidenceMessage());
  }

  /** Cancel, retry or "run anyway" for one cell: plain forms, so they work without script. */
  private static void actions(Html h, Measured m) {
    String label;
    String action;
    boolean force = false;
    switch (m.state()) {
      case "queued", "running", "interrupted" -> {
        label = "Cancel";
        action = "cancel";
      }
      case "failed", "cancelled", "succeeded" -> {
        label = "Retry";
        action = "retry";
      }
      case "skipped" -> {
        label = "Run anyway";
        action = "retry";
        force = true;
      }
      default -> {
        return;
      }
    }
    h.open("form", "class", "cell-action", "method", "post", "action", "/cells/" + m.cellId() + "/" + action);
    if (force) {
      h.empty("input", "type", "hidden", "name", "force", "value", "true");
    }
    h.element("button", label, "type", "submit", "class", "small", "data-action", action);
    h.close("form");
  }

  /** Build time, latency, throughput, engine size and GPU in one line; only what was measured. */
  static String figures(Measured m) {
    List<String> parts = new ArrayList<>();
    if (m.buildTimeSeconds() != null) {
      parts.add(String.format(Locale.ROOT, "build %.1f s", m.buildTimeSeconds()));
    }
    if (m.medianLatencyMs() != null) {
      parts.add("median " + MatrixChart.figure(m.medianLatencyMs()) + " ms");
    }
    if (m.p99LatencyMs() != null) {
      parts.add("p99 " + MatrixChart.figure(m.p99LatencyMs()) + " ms");
    }
    if (m.throughputQps() != null) {
      parts.add(MatrixChart.figure(m.throughputQps()) + " qps");
    }
    if (m.engineBytes() != null) {
      parts.add("engine " + ByteSize.human(m.engineBytes()));
    }
    if (m.gpu() != null) {
      parts.add(m.gpu());
    }
    if (m.accuracyPassed() != null) {
      parts.add(m.accuracyPassed() ? "accuracy passed" : "accuracy FAILED");
    }
    return String.join(" · ", parts);
  }

  /** The reasons, shown on expand: the prediction's findings and notes, then what the run said. */
  private static void details(Html h, MatrixReport.Row row, MatrixReport.Cell c) {
    Measured m = c.measured();
    boolean any = !c.predicted().reasons().isEmpty() || !c.predicted().notes().isEmpty() || m != null;
    if (!any) {
      return;
    }
    h.open("details", "class", "cell-details");
    h.element("summary", "why");
    if (!c.predicted().reasons().isEmpty() || !c.predicted().notes().isEmpty()) {
      h.open("ul", "class", "reasons");
      List<Reason> reasons = c.predicted().reasons();
      for (Reason reason : reasons.subList(0, Math.min(reasons.size(), REASONS_PER_CELL))) {
        h.open("li", "class", "severity-" + reason.severity());
        h.text(reason.severity() + ": " + reason.message());
        if (reason.nodeIndex() != null) {
          h.text(" ").open("a", "class", "finding-node", "href", NodeLinks.href(reason.nodeIndex()))
              .text("node #" + reason.nodeIndex()).close("a");
        }
        h.close("li");
      }
      if (reasons.size() > REASONS_PER_CELL) {
        h.open("li", "class", "more").open("a", "href", "#findings-" + row.tensorrt().replace('.', '-'))
            .text((reasons.size() - REASONS_PER_CELL) + " more in the findings for TensorRT " + row.tensorrt()).close("a")
            .close("li");
      }
      c.predicted().notes().forEach(n -> h.element("li", n, "class", "note"));
      h.close("ul");
    }
    if (m != null) {
      h.open("ul", "class", "measured-facts");
      if (m.reason() != null) {
        h.element("li", "reason: " + m.reason());
      }
      if (m.failingNode() != null) {
        h.open("li").text("parser stopped at ").open("a", "class", "finding-node", "href", NodeLinks.href(m.failingNode()))
            .text("node #" + m.failingNode()).close("a").close("li");
      }
      m.notes().forEach(n -> h.element("li", n, "class", "note"));
      if (m.logUrl() != null) {
        h.open("li").open("a", "href", m.logUrl(), "class", "cell-log-link").text("log of cell " + m.cellId()).close("a").close("li");
      }
      h.close("ul");
    }
    h.close("details");
  }

  /** The measured ONNX Runtime CPU row, or the button that starts a run (works without script). */
  private static void referenceRow(Html h, MatrixReport r) {
    Reference s = r.reference();
    String state = s == null ? "none" : s.state();
    h.open("tr", "id", "reference-row", "class", "reference", "data-state", state);
    h.element("th", "ONNX Runtime CPU FP32 (reference)", "scope", "row");
    h.element("td", "onnxruntime", "class", "mono");
    h.element("td", "-");
    h.open("td", "colspan", Integer.toString(r.precisions().size()), "class", "reference-cell");
    switch (state) {
      case "succeeded" -> h.element("span", String.format(Locale.ROOT,
          "measured: latency median %s ms, p99 %s ms · %s runs/s · %d thread(s) · ONNX Runtime %s · %d runs",
          num(s.medianLatencyMs()), num(s.p99LatencyMs()), num(s.throughputQps()), s.threads() == null ? 0 : s.threads(),
          s.onnxruntimeVersion() == null ? "?" : s.onnxruntimeVersion(), s.runs() == null ? 0 : s.runs()), "class", "figures");
      case "queued", "running" -> h.element("span", "Run " + state + " since " + s.updatedAt() + ".", "class", "state");
      default -> {
        if ("failed".equals(state)) {
          h.element("p", "Failed: " + s.error(), "class", "error");
        }
        h.open("form", "method", "post", "action", "/models/" + r.modelId() + "/reference", "class", "inline");
        h.element("button", "failed".equals(state) ? "Run again" : "Run on ONNX Runtime (CPU)", "type", "submit");
        h.close("form");
      }
    }
    h.close("td");
    h.close("tr");
  }

  private static String num(Double d) {
    return d == null ? "?" : String.format(Locale.ROOT, "%.3f", d);
  }

  /** One open log per running cell; model.js appends streamed lines to the {@code pre} as text. */
  private static void liveLogs(Html h, MatrixReport r) {
    for (MatrixReport.Row row : r.rows()) {
      for (MatrixReport.Cell c : row.cells()) {
        Measured m = c.measured();
        if (m != null && "running".equals(m.state())) {
          h.open("details", "class", "live-log", "open", null);
          h.element("summary", "TensorRT " + row.tensorrt() + " " + c.precision().toUpperCase(Locale.ROOT) + ": running, log");
          h.element("pre", "", "class", "cell-log", "data-cell-id", Long.toString(m.cellId()), "data-log-url",
              m.logUrl() == null ? "/api/v1/cells/" + m.cellId() + "/log" : m.logUrl());
          h.close("details");
        }
      }
    }
  }

  /** A link to the node's row in the graph section; for a subgraph node, its path as text after the link. */
  static void node(Html h, Finding f) {
    if (f.nodeIndex() == null) {
      h.text(f.node() == null ? "model" : f.node());
      return;
    }
    boolean nested = f.path() != null && !f.path().equals(f.node());
    h.open("a", "class", "finding-node", "href", NodeLinks.href(f.nodeIndex()))
        .text("#" + f.nodeIndex() + (nested ? "" : " " + f.node())).close("a");
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
}
