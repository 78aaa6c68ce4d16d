package dev.trtcompat.matrix;

import dev.trtcompat.html.Html;
import dev.trtcompat.matrix.MatrixReport.Measured;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Median latency and throughput per release x precision as an inline SVG bar chart: drawn on the server, so
 * the page needs no chart library and its CSP no exception. Only measured cells appear.
 */
public final class MatrixChart {

  static final String SVG_NS = "http://www.w3.org/2000/svg";

  private static final int WIDTH = 720;
  private static final int LABEL = 110;
  private static final int BARS = 470;
  private static final int ROW = 20;
  private static final int HEAD = 26;
  private static final int GAP = 16;

  /** One measured cell's bar label and figures. */
  record Bar(String label, Double medianMs, Double qps) {}

  private MatrixChart() {}

  /** The chart, or a sentence saying nothing is measured yet. */
  public static void render(Html h, MatrixReport report) {
    List<Bar> bars = bars(report);
    List<Bar> latency = bars.stream().filter(b -> b.medianMs() != null).toList();
    List<Bar> throughput = bars.stream().filter(b -> b.qps() != null).toList();
    if (latency.isEmpty() && throughput.isEmpty()) {
      h.element("p", "No measured timings yet: the chart appears once a TensorRT cell has built and run an engine.",
          "class", "chart-empty hint");
      return;
    }
    int height = panelHeight(latency) + GAP + panelHeight(throughput);
    h.open("svg", "xmlns", SVG_NS, "class", "matrix-chart", "viewBox", "0 0 " + WIDTH + " " + height,
        "role", "img", "aria-label", "Median latency and throughput per TensorRT release and precision");
    h.element("title", "Median latency (ms, lower is better) and throughput (queries/s, higher is better)");
    int y = panel(h, 0, "Median latency (ms), lower is better", latency, Bar::medianMs, "ms", "bar-latency");
    panel(h, y + GAP, "Throughput (queries/s), higher is better", throughput, Bar::qps, "qps", "bar-throughput");
    h.close("svg");
  }

  static List<Bar> bars(MatrixReport report) {
    List<Bar> out = new ArrayList<>();
    for (MatrixReport.Row row : report.rows()) {
      for (MatrixReport.Cell c : row.cells()) {
        Measured m = c.measured();
        if (m != null && (m.medianLatencyMs() != null || m.throughputQps() != null)) {
          out.add(new Bar(row.tensorrt() + " " + c.precision().toUpperCase(Locale.ROOT), m.medianLatencyMs(),
              m.throughputQps()));
        }
      }
    }
    return out;
  }

  private static int panelHeight(List<Bar> bars) {
    return HEAD + Math.max(1, bars.size()) * ROW;
  }

  /** Draws one panel from {@code top}; answers where it ends. */
  private static int panel(Html h, int top, String title, List<Bar> bars, Function<Bar, Double> value, String unit,
      String barClass) {
    h.open("g", "class", "panel", "transform", "translate(0," + top + ")");
    h.element("text", title, "class", "panel-title", "x", "0", "y", "16");
    if (bars.isEmpty()) {
      h.element("text", "not measured", "class", "bar-label", "x", Integer.toString(LABEL), "y", Integer.toString(HEAD + 14));
    }
    double max = bars.stream().mapToDouble(value::apply).max().orElse(1);
    int y = HEAD;
    for (Bar b : bars) {
      double v = value.apply(b);
      double w = max <= 0 ? 0 : Math.max(1, BARS * v / max);
      h.element("text", b.label(), "class", "bar-label", "x", "0", "y", Integer.toString(y + 14));
      h.open("rect", "class", barClass, "x", Integer.toString(LABEL), "y", Integer.toString(y + 3),
          "width", fmt(w), "height", Integer.toString(ROW - 6));
      h.element("title", b.label() + ": " + figure(v) + " " + unit);
      h.close("rect");
      h.element("text", figure(v) + " " + unit, "class", "bar-value", "x", fmt(LABEL + w + 6), "y", Integer.toString(y + 14));
      y += ROW;
    }
    h.close("g");
    return top + panelHeight(bars);
  }

  private static String fmt(double d) {
    return String.format(Locale.ROOT, "%.1f", d);
  }

  static String figure(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 1 ? String.format(Locale.ROOT, "%.2f", v)
        : String.format(Locale.ROOT, "%.3f", v);
  }
}
