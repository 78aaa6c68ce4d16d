package dev.trtcompat.http;

import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.check.Severity;
import dev.trtcompat.check.Verdict;
import dev.trtcompat.html.Html;
import dev.trtcompat.matrix.MatrixReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model page's first section, the answer in a few lines: which releases accept the model, the first blocker
 * of each other release with its fix (releases blocked by the same finding share a line), and what the latest job
 * measured. The matrix and the findings below it hold the detail.
 */
final class VerdictSection {

  static final String ID = "verdict";

  private VerdictSection() {}

  static void render(Html h, CompatibilityReport check, MatrixReport matrix) {
    List<String> accepted = new ArrayList<>();
    List<String> warned = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    Map<String, List<String>> blockers = new LinkedHashMap<>();
    Map<String, Finding> blockerFindings = new LinkedHashMap<>();
    for (ReleaseResult r : check.results()) {
      if (r.verdict().accepts()) {
        accepted.add(r.tensorrt());
        if (r.verdict() == Verdict.COMPATIBLE_WITH_WARNINGS) {
          warned.add(r.tensorrt());
        }
      } else if (r.verdict() == Verdict.UNKNOWN) {
        unknown.add(r.tensorrt());
      } else {
        Finding first = r.findings().stream().filter(f -> f.severity() == Severity.ERROR).findFirst().orElse(null);
        // The message names the release; the rule, node and fix do not: releases sharing them share a line.
        String key = first == null ? "" : first.rule() + "|" + first.nodeIndex() + "|" + first.path() + "|" + first.fix();
        blockers.computeIfAbsent(key, k -> new ArrayList<>()).add(r.tensorrt());
        if (first != null) {
          blockerFindings.putIfAbsent(key, first);
        }
      }
    }
    h.open("div", "class", "answer");
    h.open("p", "class", accepted.isEmpty() ? "answer-line none" : "answer-line accepts", "id", "verdict-accepts");
    if (accepted.isEmpty()) {
      h.open("strong").text("No TensorRT release in the knowledge base is expected to accept this model.").close("strong");
    } else {
      h.open("strong").text("Expected to convert with TensorRT ").close("strong").text(String.join(", ", accepted))
          .text(warned.isEmpty() ? "." : warned.size() == accepted.size() ? ", each with warnings (see the matrix)."
              : "; with warnings: " + String.join(", ", warned) + ".");
    }
    h.close("p");
    if (!blockers.isEmpty()) {
      h.open("ul", "class", "blockers", "id", "verdict-blockers");
      blockers.forEach((key, releases) -> {
        Finding f = blockerFindings.get(key);
        h.open("li");
        h.open("strong").text("TensorRT " + String.join(", ", releases)).close("strong").text(": ");
        if (f == null) {
          h.text("the static check found an error.");
        } else {
          h.text(where(f) + f.message());
          if (f.fix() != null && !f.fix().isBlank()) {
            h.text(" ").open("span", "class", "fix").text("Fix: " + f.fix()).close("span");
          }
        }
        h.close("li");
      });
      h.close("ul");
    }
    if (!unknown.isEmpty()) {
      h.element("p", "Unknown for TensorRT " + String.join(", ", unknown)
          + ": the knowledge base lacks a fact needed to decide; measure to find out.", "class", "answer-line unknown");
    }
    measured(h, matrix);
    h.close("div");
  }

  private static String where(Finding f) {
    if (f.nodeIndex() == null) {
      return f.op() == null ? "" : f.op() + ": ";
    }
    return "node " + f.nodeIndex() + (f.node() == null || f.node().isEmpty() ? "" : " '" + f.node() + "'")
        + (f.op() == null ? "" : " (" + f.op() + ")") + ": ";
  }

  private static void measured(Html h, MatrixReport matrix) {
    List<String[]> rows = new ArrayList<>();
    for (MatrixReport.Row row : matrix.rows()) {
      for (MatrixReport.Cell c : row.cells()) {
        MatrixReport.Measured m = c.measured();
        if (m != null) {
          rows.add(new String[] {row.tensorrt(), c.precision().toUpperCase(Locale.ROOT), m.state()
              + (m.reason() == null || "succeeded".equals(m.state()) ? "" : ": " + m.reason()),
              m.medianLatencyMs() == null ? "" : String.format(Locale.ROOT, "%.2f ms", m.medianLatencyMs())});
        }
      }
    }
    MatrixReport.Reference ref = matrix.reference();
    if (ref != null && !"none".equals(ref.state())) {
      rows.add(new String[] {"ONNX Runtime CPU", "FP32 (reference)", ref.state()
          + (ref.error() == null ? "" : ": " + ref.error()),
          ref.medianLatencyMs() == null ? "" : String.format(Locale.ROOT, "%.2f ms", ref.medianLatencyMs())});
    }
    if (rows.isEmpty()) {
      h.open("p", "class", "answer-line", "id", "verdict-measured").text("Nothing measured yet: the lines above are "
          + "the static check's prediction. Choose releases under ").open("a", "href", "#measure")
          .text("Measure in containers").close("a").text(" to build real engines.").close("p");
      return;
    }
    h.open("p", "class", "answer-line", "id", "verdict-measured")
        .text(matrix.jobId() == null ? "Measured:" : "Measured by job " + matrix.jobId()
            + (matrix.jobUnfinished() ? " (still running):" : ":")).close("p");
    h.open("table", "class", "data measured");
    h.open("thead").open("tr").element("th", "Runtime").element("th", "Precision").element("th", "State")
        .element("th", "Median latency").close("tr").close("thead");
    h.open("tbody");
    for (String[] r : rows) {
      h.open("tr").element("td", r[0]).element("td", r[1]).element("td", r[2]).element("td", r[3], "class", "num")
          .close("tr");
    }
    h.close("tbody").close("table");
  }
}
