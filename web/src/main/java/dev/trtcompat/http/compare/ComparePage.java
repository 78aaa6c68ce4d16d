package dev.trtcompat.http.compare;

import dev.trtcompat.html.Html;
import dev.trtcompat.http.JobFormFields;
import dev.trtcompat.http.Pages;
import dev.trtcompat.http.compare.CompareReport.Cell;
import dev.trtcompat.http.compare.CompareReport.Choice;
import dev.trtcompat.http.compare.CompareReport.Column;
import dev.trtcompat.http.compare.CompareReport.ModelRow;
import dev.trtcompat.http.compare.CompareReport.Speedup;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.units.ByteSize;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The compare page: options (a GET form, so every view is a URL), the table with sortable headers (links, so
 * sorting works without script), speed-ups, best choice, chart, exports and the measure-all form. Every model
 * string goes through {@link Html}, which escapes it.
 */
final class ComparePage {

  static final String BODY_ID = "compare-body";

  private ComparePage() {}

  static String page(CompareQuery q, CompareReport r, List<String> releases, TensorRtImageCatalog images) {
    return Pages.layout("Compare " + r.rows().size() + " models", h -> {
      h.element("h1", "Compare models");
      String query = q.toQueryString();
      h.open("p", "class", "ids");
      h.text("Shareable link: ").open("a", "id", "share-link", "href", "/compare?" + query).text("this view")
          .close("a");
      h.text(" · export ").open("a", "id", "export-json", "href", "/api/v1/compare?" + query).text("JSON").close("a");
      h.text(" · ").open("a", "id", "export-csv", "href", "/api/v1/compare.csv?" + query, "download", null)
          .text("CSV").close("a");
      h.close("p");
      options(h, q, r, releases);
      body(h, q, r);
      measureForm(h, q, r, images);
      h.open("script", "src", "/assets/compare.js", "defer", null).close("script");
    });
  }

  /** The live part, also served alone as {@code GET /compare/body} for the page's re-render. */
  static void body(Html h, CompareQuery q, CompareReport r) {
    h.open("div", "id", BODY_ID, "data-query", q.toQueryString(), "data-unfinished", Boolean.toString(r.unfinished()),
        "data-models", String.join(",", q.models()));
    table(h, q, r);
    speedups(h, r);
    best(h, r);
    h.open("section", "id", "compare-chart");
    h.element("h2", "Latency chart" + (r.chartRelease() == null ? "" : ", TensorRT " + r.chartRelease()));
    CompareChart.render(h, r);
    h.close("section");
    h.close("div");
  }

  private static void options(Html h, CompareQuery q, CompareReport r, List<String> releases) {
    h.open("form", "id", "compare-options", "method", "get", "action", "/compare");
    h.empty("input", "type", "hidden", "name", "models", "value", String.join(",", q.models()));
    h.open("fieldset", "class", "job-fields");
    h.element("legend", "Columns");
    List<String> shown = r.columns().stream().map(Column::tensorrt).distinct().toList();
    h.open("div", "class", "choices releases");
    for (String release : releases) {
      checkbox(h, "trt", release, "TensorRT " + release, shown.contains(release));
    }
    h.close("div");
    h.open("div", "class", "choices precisions");
    for (Precision p : Precision.values()) {
      checkbox(h, "precision", p.wireName(), p.name(), q.precisions().contains(p));
    }
    h.close("div");
    h.open("label", "class", "field").text("Accuracy bound for best choice (largest absolute output error) ");
    h.empty("input", "type", "number", "name", "maxError", "id", "max-error", "min", "0", "step", "any",
        "value", q.maxError() == null ? "" : q.maxError().toString());
    h.close("label");
    h.open("label", "class", "field").text("Only label ");
    h.empty("input", "type", "text", "name", "label", "id", "label-filter", "maxlength", "200",
        "value", q.label() == null ? "" : q.label());
    h.close("label");
    checkbox(h, "group", "label", "Group by label", q.groupByLabel());
    h.open("label", "class", "field").text("Chart release ");
    h.open("select", "name", "chart");
    for (String release : shown) {
      if (release.equals(r.chartRelease())) {
        h.element("option", release, "value", release, "selected", null);
      } else {
        h.element("option", release, "value", release);
      }
    }
    h.close("select").close("label");
    if (q.sort() != null) {
      h.empty("input", "type", "hidden", "name", "sort", "value", q.sort());
      h.empty("input", "type", "hidden", "name", "dir", "value", q.descending() ? "desc" : "asc");
    }
    h.close("fieldset");
    h.element("button", "Update", "type", "submit", "id", "compare-update");
    h.close("form");
  }

  private static void checkbox(Html h, String name, String value, String label, boolean checked) {
    h.open("label", "class", "choice");
    if (checked) {
      h.empty("input", "type", "checkbox", "name", name, "value", value, "checked", null);
    } else {
      h.empty("input", "type", "checkbox", "name", name, "value", value);
    }
    h.text(" " + label).close("label");
  }

  private static void table(Html h, CompareQuery q, CompareReport r) {
    h.open("table", "id", "compare", "class", "data matrix", "data-sort", r.sort() == null ? "" : r.sort(),
        "data-dir", r.descending() ? "desc" : "asc");
    h.open("thead").open("tr");
    header(h, q, "model", "Model");
    header(h, q, "label", "Label");
    header(h, q, "params", "Params");
    header(h, q, "flops", "GFLOPs");
    header(h, q, "cpu", "CPU reference");
    for (Column c : r.columns()) {
      header(h, q, c.key(), "TensorRT " + c.tensorrt() + " " + c.precision().toUpperCase(Locale.ROOT));
    }
    h.close("tr").close("thead");
    h.open("tbody");
    String group = null;
    boolean first = true;
    for (ModelRow row : r.rows()) {
      if (r.groupByLabel() && (first || !Objects.equals(group, row.label()))) {
        group = row.label();
        h.open("tr", "class", "group-row").element("th", row.label() == null ? "(no label)" : row.label(),
            "colspan", Integer.toString(5 + r.columns().size()), "scope", "rowgroup").close("tr");
      }
      first = false;
      h.open("tr", "data-model-id", row.modelId());
      h.open("th", "scope", "row").open("a", "href", "/models/" + row.modelId()).text(row.fileName()).close("a")
          .close("th");
      h.element("td", row.label() == null ? "" : row.label(), "class", "label");
      h.element("td", row.parameters() == null ? "-" : count(row.parameters()), "class", "num",
          "data-value", row.parameters() == null ? "" : row.parameters().toString());
      h.element("td", row.flops() == null ? "-"
              : String.format(Locale.ROOT, "%.3f", row.flops() / 1e9) + (row.flopsComplete() ? "" : "+"),
          "class", "num", "data-value", row.flops() == null ? "" : row.flops().toString());
      reference(h, row.reference());
      for (Cell c : row.cells()) {
        cell(h, c);
      }
      h.close("tr");
    }
    h.close("tbody").close("table");
    h.element("p", "Sort by clicking a column heading. Highlighted: the column's fastest model among those predicted or"
        + " measured to convert. GFLOPs: " + r.flopsCounting() + "; + marks a lower bound (some shapes unknown).",
        "class", "hint");
  }

  private static void header(Html h, CompareQuery q, String key, String label) {
    boolean current = key.equals(q.sort());
    boolean nextDesc = current && !q.descending();
    String arrow = current ? (q.descending() ? " ▼" : " ▲") : "";
    h.open("th", "scope", "col", "data-key", key, "aria-sort", current ? (q.descending() ? "descending" : "ascending")
        : "none");
    h.open("a", "class", "sort", "href", "/compare?" + q.toQueryString(key, nextDesc)).text(label + arrow).close("a");
    h.close("th");
  }

  private static void reference(Html h, MatrixReport.Reference ref) {
    String state = ref == null ? "none" : ref.state();
    h.open("td", "class", "cell reference", "data-state", state);
    if (ref != null && "succeeded".equals(state)) {
      h.element("span", figures(ref.medianLatencyMs(), ref.p99LatencyMs(), ref.throughputQps()), "class", "figures");
    } else {
      h.element("span", state.equals("none") ? "not run" : state, "class", "state");
    }
    h.close("td");
  }

  private static void cell(Html h, Cell c) {
    List<String> attrs = new ArrayList<>(List.of("class", "cell" + (c.fastest() ? " fastest" : ""), "data-column",
        c.column(), "data-predicted", c.predicted(), "data-state", c.state(), "data-label", c.label()));
    if (c.medianMs() != null) {
      attrs.addAll(List.of("data-median-ms", c.medianMs().toString()));
    }
    h.open("td", attrs.toArray(String[]::new));
    h.element("span", c.predicted(), "class", "badge verdict verdict-" + c.predicted());
    if (MatrixReport.Cell.INT8_QDQ_RANDOM.equals(c.label())) {
      // as the model page's matrix says it: these scales time the engine, they do not make it accurate
      h.element("span", c.label(), "class", "note timing-only");
    }
    MatrixReport.Measured m = c.measured();
    if (m != null) {
      h.open("div", "class", "measured state-" + m.state());
      h.element("span", m.state() + (m.outcome() == null || "success".equals(m.outcome()) ? ""
          : " (" + m.outcome().replace('_', ' ') + ")"), "class", "state");
      List<String> parts = new ArrayList<>();
      String f = figures(m.medianLatencyMs(), m.p99LatencyMs(), m.throughputQps());
      if (!f.isEmpty()) {
        parts.add(f);
      }
      if (m.engineBytes() != null) {
        parts.add("engine " + ByteSize.human(m.engineBytes()));
      }
      if (m.buildTimeSeconds() != null) {
        parts.add(String.format(Locale.ROOT, "build %.1f s", m.buildTimeSeconds()));
      }
      if (c.accuracyDelta() != null) {
        parts.add("Δ " + String.format(Locale.ROOT, "%.3g", c.accuracyDelta())
            + (c.placeholderInt8() ? " (placeholder INT8)" : "")
            + (MatrixReport.Cell.INT8_QDQ_RANDOM.equals(c.label()) ? " (scales from random data)" : ""));
      }
      if (!parts.isEmpty()) {
        h.element("span", String.join(" · ", parts), "class", "figures");
      }
      h.close("div");
    }
    if (c.fastest()) {
      h.element("span", "fastest", "class", "badge fastest-badge");
    }
    h.close("td");
  }

  private static void speedups(Html h, CompareReport r) {
    h.open("section", "id", "compare-speedups");
    h.element("h2", "Speed-up over FP32");
    if (r.rows().stream().allMatch(row -> row.speedups().isEmpty())) {
      h.element("p", "Nothing measured yet: speed-ups appear once FP32 and FP16/INT8 engines of a model are timed.",
          "class", "hint");
      h.close("section");
      return;
    }
    h.open("table", "class", "data", "id", "speedup-table");
    h.open("thead").open("tr").element("th", "Model").element("th", "TensorRT").element("th", "Precision")
        .element("th", "Speed-up").element("th", "Accuracy cost (Δ)").close("tr").close("thead");
    h.open("tbody");
    for (ModelRow row : r.rows()) {
      for (Speedup s : row.speedups()) {
        h.open("tr", "data-model-id", row.modelId(), "data-precision", s.precision(), "data-tensorrt", s.tensorrt());
        h.element("th", row.fileName(), "scope", "row");
        h.element("td", s.tensorrt());
        h.element("td", s.label());
        h.element("td", s.speedup() == null ? "-" : String.format(Locale.ROOT, "%.2f×", s.speedup()), "class", "num");
        String delta = s.accuracyDelta() == null ? "not checked" : String.format(Locale.ROOT, "%.3g", s.accuracyDelta())
            + (s.accuracyPassed() == null ? "" : s.accuracyPassed() ? " (passed)" : " (FAILED)");
        String cost = s.placeholderInt8()
            ? delta + " · placeholder-scale INT8: not calibrated, accuracy not meaningful" : delta;
        h.element("td", cost, "class", s.placeholderInt8() ? "placeholder-int8" : "");
        h.close("tr");
      }
    }
    h.close("tbody").close("table");
    h.close("section");
  }

  private static void best(Html h, CompareReport r) {
    h.open("section", "id", "compare-best");
    h.element("h2", "Best choice");
    h.element("p", r.maxError() == null
        ? "The fastest measured configuration per model (no accuracy bound set)."
        : "The fastest measured configuration per model whose accuracy delta (" + r.accuracyMeasure() + ") is at most "
            + r.maxError() + "; engines without an accuracy check, placeholder-scale INT8 and Q/DQ INT8 with scales"
            + " from random data (timing only) are left out.",
        "class", "hint");
    Choice o = r.overall();
    if (o == null) {
      h.element("p", "No measured configuration qualifies yet.", "id", "best-overall", "class", "hint");
    } else {
      h.open("p", "id", "best-overall", "data-model-id", o.modelId());
      h.text("Overall: ").element("strong", o.fileName()).text(" on TensorRT " + o.tensorrt() + " " + choice(o));
      timingOnlyNote(h, o);
      h.close("p");
    }
    h.open("ul", "id", "best-per-model");
    for (ModelRow row : r.rows()) {
      Choice c = row.best();
      h.open("li", "data-model-id", row.modelId());
      h.element("strong", row.fileName());
      h.text(c == null ? ": nothing qualifying measured" : ": TensorRT " + c.tensorrt() + " " + choice(c));
      if (c != null) {
        timingOnlyNote(h, c);
      }
      h.close("li");
    }
    h.close("ul");
    h.close("section");
  }

  /** Precision, median and, where it means something, the accuracy delta of a best choice. */
  private static String choice(Choice c) {
    return c.precision().toUpperCase(Locale.ROOT) + ", median " + CompareChart.figure(c.medianLatencyMs()) + " ms"
        + (c.accuracyDelta() == null || c.timingOnly() ? "" : ", Δ " + String.format(Locale.ROOT, "%.3g",
            c.accuracyDelta()));
  }

  /** A choice that wins on speed alone says its accuracy is unknown, and why. */
  private static void timingOnlyNote(Html h, Choice c) {
    if (c.timingOnly()) {
      h.text(" ").element("span", "speed only, accuracy unknown: " + c.label(), "class", "note timing-only");
    }
  }

  private static void measureForm(Html h, CompareQuery q, CompareReport r, TensorRtImageCatalog images) {
    h.open("section", "id", "compare-measure");
    h.element("h2", "Measure every model");
    h.open("form", "id", "compare-job-form", "method", "post", "action", "/compare/jobs");
    h.empty("input", "type", "hidden", "name", "models", "value", String.join(",", q.models()));
    h.empty("input", "type", "hidden", "name", "back", "value", "/compare?" + q.toQueryString());
    JobFormFields.render(h, images, r.columns().stream().map(Column::tensorrt).distinct().toList());
    h.element("p", "One job per model with the same releases, precisions, shapes and timeout; their cells are queued"
        + " interleaved across models so the table fills in evenly.", "class", "hint");
    h.element("button", "Measure all " + q.models().size() + " models", "type", "submit", "id", "compare-job-submit");
    h.close("form");
    h.close("section");
  }

  private static String figures(Double median, Double p99, Double qps) {
    List<String> parts = new ArrayList<>();
    if (median != null) {
      parts.add("median " + CompareChart.figure(median) + " ms");
    }
    if (p99 != null) {
      parts.add("p99 " + CompareChart.figure(p99) + " ms");
    }
    if (qps != null) {
      parts.add(CompareChart.figure(qps) + " qps");
    }
    return String.join(" · ", parts);
  }

  static String count(long n) {
    return n >= 1_000_000_000 ? String.format(Locale.ROOT, "%.2fG", n / 1e9)
        : n >= 1_000_000 ? String.format(Locale.ROOT, "%.2fM", n / 1e6)
        : n >= 10_000 ? String.format(Locale.ROOT, "%.1fK", n / 1e3) : Long.toString(n);
  }
}
