package dev.trtcompat.matrix;

import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.html.Html;
import dev.trtcompat.html.Pager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The findings of each release under the matrix, one folded table per release, {@link FindingsView#PAGE_SIZE} rows a
 * page: a model with a finding on each of its 300k nodes would otherwise put millions of rows on the page. A search
 * and kind form above them (a plain GET form) filters every table at once; the JSON route has every finding.
 */
final class FindingsTables {

  private FindingsTables() {}

  static void render(Html h, CompatibilityReport r, FindingsView view) {
    Set<String> kinds = new TreeSet<>();
    int largest = 0;
    for (ReleaseResult rr : r.results()) {
      rr.findings().forEach(f -> kinds.add(f.rule()));
      largest = Math.max(largest, rr.findings().size());
    }
    if (largest > FindingsView.PAGE_SIZE || view.filtered() || view.page() > 1) {
      form(h, view, kinds);
    }
    for (ReleaseResult rr : r.results()) {
      if (rr.findings().isEmpty()) {
        continue;
      }
      List<Finding> shown = rr.findings();
      if (view.filtered()) {
        shown = new ArrayList<>();
        for (Finding f : rr.findings()) {
          if (view.matches(f)) {
            shown.add(f);
          }
        }
        if (shown.isEmpty()) {
          continue;
        }
      }
      table(h, rr, shown, view);
    }
  }

  private static void table(Html h, ReleaseResult rr, List<Finding> shown, FindingsView view) {
    String id = "findings-" + rr.tensorrt().replace('.', '-');
    int pages = Math.max(1, (shown.size() + FindingsView.PAGE_SIZE - 1) / FindingsView.PAGE_SIZE);
    // Open when the reader asked for something, so the answer is not behind a closed fold.
    if (view.filtered() || view.page() > 1) {
      h.open("details", "class", "findings", "id", id, "open", null);
    } else {
      h.open("details", "class", "findings", "id", id);
    }
    h.element("summary", "TensorRT " + rr.tensorrt() + ": " + (view.filtered()
        ? shown.size() + " of " + rr.findings().size() + " finding(s) match" : rr.findings().size() + " finding(s)")
        + (pages > 1 ? ", page " + view.page() + " of " + pages : ""));
    long from = (long) (view.page() - 1) * FindingsView.PAGE_SIZE;
    if (from >= shown.size()) {
      h.element("p", "Page " + view.page() + " is past the end: there " + (pages == 1 ? "is 1 page." : "are " + pages
          + " pages."), "class", "hint findings-empty");
    } else {
      h.open("table", "class", "data");
      h.open("thead").open("tr").element("th", "Severity").element("th", "Op").element("th", "Node")
          .element("th", "Rule").element("th", "Message").element("th", "Fix").close("tr").close("thead");
      h.open("tbody");
      for (Finding f : shown.subList((int) from, (int) Math.min(shown.size(), from + FindingsView.PAGE_SIZE))) {
        h.open("tr", "class", "severity-" + f.severity().json());
        h.element("td", f.severity().json());
        h.element("td", f.op() == null ? "" : f.op(), "class", "mono");
        h.open("td", "class", "mono");
        MatrixSection.node(h, f);
        h.close("td");
        h.element("td", f.rule(), "class", "mono");
        h.element("td", f.message());
        h.element("td", f.fix());
        h.close("tr");
      }
      h.close("tbody").close("table");
    }
    Map<String, String> keep = new LinkedHashMap<>();
    keep.put(FindingsView.SEARCH_PARAM, view.search());
    keep.put(FindingsView.KIND_PARAM, view.kind());
    Pager.write(h, "findings pages of TensorRT " + rr.tensorrt(), view.page(), pages, FindingsView.PAGE_PARAM, keep, id);
    h.close("details");
  }

  /** Search and kind for every release's table; a plain GET form that lands back on the findings. */
  private static void form(Html h, FindingsView view, Set<String> kinds) {
    h.open("form", "class", "findings-search", "method", "get", "action", "#compatibility", "role", "search");
    h.open("label").text("Findings: node, op or message ");
    h.empty("input", "type", "search", "name", FindingsView.SEARCH_PARAM, "value", view.search(), "maxlength", "200");
    h.close("label");
    h.open("label").text(" kind ");
    h.open("select", "name", FindingsView.KIND_PARAM);
    h.option("", "any", view.kind());
    kinds.forEach(k -> h.option(k, k, view.kind()));
    h.close("select").close("label");
    h.element("button", "Filter", "type", "submit");
    h.close("form");
  }

}
