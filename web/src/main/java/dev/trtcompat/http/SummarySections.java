package dev.trtcompat.http;

import dev.trtcompat.html.Html;
import dev.trtcompat.models.StoredFile;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.ModelSummary.ValueSummary;
import dev.trtcompat.units.ByteSize;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The model page's sections that show the reader's summary. */
final class SummarySections {

  /** Tables longer than this are folded into a closed {@code <details>}: the verdict is what most readers want. */
  static final int FOLD_ABOVE_ROWS = 12;

  private SummarySections() {}

  /** Opens a closed {@code <details>} with {@code summary} when {@code rows} is long; {@link #unfold} closes it. */
  static boolean fold(Html h, int rows, String id, String summary) {
    if (rows <= FOLD_ABOVE_ROWS) {
      return false;
    }
    h.open("details", "class", "fold", "id", id).element("summary", summary);
    return true;
  }

  static void unfold(Html h, boolean folded) {
    if (folded) {
      h.close("details");
    }
  }

  /** In page order. */
  static List<ModelPageSection> all() {
    return List.of(
        ModelPageSection.of("overview", "Overview", SummarySections::overview),
        ModelPageSection.of("inputs-outputs", "Inputs and outputs", SummarySections::inputsOutputs),
        ModelPageSection.of("operators", "Operators", SummarySections::operators),
        ModelPageSection.of("weights", "Weights", SummarySections::weights),
        ModelPageSection.of("metadata", "Metadata", SummarySections::metadata));
  }


  private static void overview(Html h, StoredModel m) {
    ModelSummary s = m.summary();
    h.open("dl", "class", "facts");
    fact(h, "Producer", (s.producerName().isEmpty() ? "-" : s.producerName()) + (s.producerVersion().isEmpty() ? "" : " " + s.producerVersion()));
    fact(h, "IR version", Long.toString(s.irVersion()));
    fact(h, "Opsets", s.opsetImports().isEmpty() ? "-"
        : s.opsetImports().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    fact(h, "Nodes", s.nodeCount() + " in the main graph, " + s.subgraphCount() + " subgraph(s)");
    if (!s.functions().isEmpty()) {
      fact(h, "Local functions", String.join(", ", s.functions()));
    }
    h.close("dl");
  }

  private static void fact(Html h, String name, String value) {
    h.element("dt", name).element("dd", value);
  }

  private static void inputsOutputs(Html h, StoredModel m) {
    h.open("table", "class", "data io");
    h.open("thead").open("tr").element("th", "").element("th", "Name").element("th", "Type").element("th", "Shape").close("tr").close("thead");
    h.open("tbody");
    values(h, "input", m.summary().inputs());
    values(h, "output", m.summary().outputs());
    h.close("tbody").close("table");
  }

  private static void values(Html h, String role, List<ValueSummary> values) {
    for (ValueSummary v : values) {
      h.open("tr", "class", role);
      h.element("td", role);
      h.element("td", v.name(), "class", "mono");
      h.element("td", v.elemType(), "class", "mono");
      h.element("td", v.shape() == null ? "rank unknown" : shape(v.shape()), "class", "mono");
      h.close("tr");
    }
  }

  private static String shape(List<Object> dims) {
    return "[" + dims.stream().map(String::valueOf).collect(Collectors.joining(", ")) + "]";
  }

  /** The op histogram as bars; SVG attributes rather than inline style, which the page's CSP forbids. */
  private static void operators(Html h, StoredModel m) {
    Map<String, Integer> ops = m.summary().ops();
    if (ops.isEmpty()) {
      h.element("p", "The graph has no nodes.");
      return;
    }
    int max = ops.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    int nodes = ops.values().stream().mapToInt(Integer::intValue).sum();
    // A detection model has 60+ op types: fold them, naming the most used.
    boolean folded = fold(h, ops.size(), "operators-table", ops.size() + " op types over " + nodes + " nodes; most used: "
        + ops.entrySet().stream().sorted(ModelSummary.byCountDescending()).limit(3)
            .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ")));
    h.open("table", "class", "data ops");
    h.open("thead").open("tr").element("th", "Op").element("th", "Count").element("th", "").close("tr").close("thead");
    h.open("tbody");
    ops.entrySet().stream().sorted(ModelSummary.byCountDescending()).forEach(e -> {
      h.open("tr");
      h.element("td", e.getKey(), "class", "mono");
      h.element("td", e.getValue(), "class", "num");
      h.open("td", "class", "bar");
      h.open("svg", "viewBox", "0 0 100 10", "preserveAspectRatio", "none", "role", "img", "aria-label", e.getValue() + " of " + max);
      h.empty("rect", "width", String.format(Locale.ROOT, "%.2f", Math.max(0.5, 100.0 * e.getValue() / max)), "height", "10");
      h.close("rect").close("svg").close("td");
      h.close("tr");
    });
    h.close("tbody").close("table");
    unfold(h, folded);
  }

  private static void weights(Html h, StoredModel m) {
    ModelSummary s = m.summary();
    h.open("dl", "class", "facts");
    fact(h, "Initializers", s.initializerCount() + ", " + ByteSize.human(s.initializerBytes()) + " (" + s.initializerBytes() + " bytes)");
    fact(h, "External data", s.externalDataFiles().isEmpty() ? "none: all weights are inside the model file" : String.join(", ", s.externalDataFiles()));
    h.close("dl");
    if (!m.externalFiles().isEmpty()) {
      h.open("table", "class", "data");
      h.open("thead").open("tr").element("th", "External file").element("th", "Size").element("th", "sha256").close("tr").close("thead");
      h.open("tbody");
      for (StoredFile f : m.externalFiles()) {
        h.open("tr").element("td", f.name(), "class", "mono").element("td", ByteSize.human(f.bytes()), "class", "num")
            .element("td", f.sha256(), "class", "mono").close("tr");
      }
      h.close("tbody").close("table");
    }
  }

  private static void metadata(Html h, StoredModel m) {
    Map<String, String> md = m.summary().metadata();
    if (md.isEmpty()) {
      h.element("p", "The model carries no metadata_props.");
      return;
    }
    h.open("table", "class", "data");
    h.open("thead").open("tr").element("th", "Key").element("th", "Value").close("tr").close("thead");
    h.open("tbody");
    md.forEach((k, v) -> h.open("tr").element("td", k, "class", "mono").element("td", v).close("tr"));
    h.close("tbody").close("table");
  }
}
