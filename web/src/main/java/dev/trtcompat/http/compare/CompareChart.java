package dev.trtcompat.http.compare;

import dev.trtcompat.html.Html;
import dev.trtcompat.http.compare.CompareReport.Cell;
import dev.trtcompat.http.compare.CompareReport.Column;
import dev.trtcompat.http.compare.CompareReport.ModelRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Median latency per model, grouped by precision, for one TensorRT release, with the CPU reference as the last
 * group: inline SVG drawn on the server like the matrix chart (no script, text escaped by {@link Html}). Bars are
 * coloured by model through classes ({@code series-0..7}), since the pages' CSP allows no inline style.
 */
final class CompareChart {

  private static final String SVG_NS = "http://www.w3.org/2000/svg";
  private static final int WIDTH = 760;
  private static final int LABEL = 200;
  private static final int BARS = 440;
  private static final int ROW = 18;
  private static final int HEAD = 24;
  static final int SERIES = 8;

  private record Bar(String model, int series, double ms) {}

  private record Group(String title, List<Bar> bars) {}

  private CompareChart() {}

  static void render(Html h, CompareReport r) {
    List<Group> groups = groups(r);
    if (groups.stream().allMatch(g -> g.bars().isEmpty())) {
      h.element("p", "No measured latencies for TensorRT " + (r.chartRelease() == null ? "-" : r.chartRelease())
          + " yet: the chart appears once engines are built and timed.", "class", "chart-empty hint");
      return;
    }
    groups = groups.stream().filter(g -> !g.bars().isEmpty()).toList();
    int height = groups.stream().mapToInt(g -> HEAD + g.bars().size() * ROW).sum() + 8;
    double max = groups.stream().flatMap(g -> g.bars().stream()).mapToDouble(Bar::ms).max().orElse(1);
    h.open("svg", "xmlns", SVG_NS, "class", "compare-chart", "viewBox", "0 0 " + WIDTH + " " + height, "role", "img",
        "aria-label", "Median latency per model and precision on TensorRT " + r.chartRelease());
    h.element("title", "Median latency (ms, lower is better) per model, TensorRT " + r.chartRelease());
    int y = 0;
    for (Group g : groups) {
      h.element("text", g.title(), "class", "panel-title", "x", "0", "y", Integer.toString(y + 16));
      y += HEAD;
      for (Bar b : g.bars()) {
        double w = max <= 0 ? 0 : Math.max(1, BARS * b.ms() / max);
        h.element("text", shorten(b.model()), "class", "bar-label", "x", "0", "y", Integer.toString(y + 13));
        h.open("rect", "class", "bar series-" + b.series(), "x", Integer.toString(LABEL), "y", Integer.toString(y + 3),
            "width", fmt(w), "height", Integer.toString(ROW - 5));
        h.element("title", b.model() + ": " + figure(b.ms()) + " ms");
        h.close("rect");
        h.element("text", figure(b.ms()) + " ms", "class", "bar-value", "x", fmt(LABEL + w + 6),
            "y", Integer.toString(y + 13));
        y += ROW;
      }
    }
    h.close("svg");
  }

  private static List<Group> groups(CompareReport r) {
    List<Group> out = new ArrayList<>();
    for (Column col : r.columns()) {
      if (!col.tensorrt().equals(r.chartRelease())) {
        continue;
      }
      List<Bar> bars = new ArrayList<>();
      for (int i = 0; i < r.rows().size(); i++) {
        ModelRow row = r.rows().get(i);
        Cell c = row.cell(col.key());
        if (c != null && c.medianMs() != null) {
          bars.add(new Bar(row.fileName(), i % SERIES, c.medianMs()));
        }
      }
      out.add(new Group(col.precision().toUpperCase(Locale.ROOT) + " on TensorRT " + col.tensorrt(), bars));
    }
    List<Bar> cpu = new ArrayList<>();
    for (int i = 0; i < r.rows().size(); i++) {
      ModelRow row = r.rows().get(i);
      if (row.reference() != null && "succeeded".equals(row.reference().state())
          && row.reference().medianLatencyMs() != null) {
        cpu.add(new Bar(row.fileName(), i % SERIES, row.reference().medianLatencyMs()));
      }
    }
    out.add(new Group("CPU reference (ONNX Runtime FP32)", cpu));
    return out;
  }

  private static String shorten(String s) {
    return s == null ? "" : s.length() <= 28 ? s : s.substring(0, 27) + "…";
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  static String figure(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }
}
