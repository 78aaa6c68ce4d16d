package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.html.Html;
import dev.trtcompat.html.Pager;
import dev.trtcompat.matrix.NodeLinks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model page's graph listing, a page of {@link NodeLinks#PAGE_SIZE} main-graph nodes at a time: searchable
 * by node name or op ({@code ?graph-q=}, case-insensitive substring) and filtered by op type ({@code ?graph-op=}),
 * so a 300k-node model's page stays a few hundred KB. Without a search, node N is on page N / 100 + 1, which is
 * where a finding's link ({@link NodeLinks#href}) sends the browser.
 */
final class GraphListing {

  static final String SEARCH_PARAM = "graph-q";
  static final String OP_PARAM = "graph-op";

  /** One page of the listing: {@code matching} nodes pass the filters, {@code pages} pages hold them. */
  record Page(List<ModelAnalysis.GraphNode> rows, int page, int pages, int matching) {}

  private GraphListing() {}

  /** The nodes passing the filters, then the requested page of them (empty past the end). */
  static Page select(List<ModelAnalysis.GraphNode> nodes, String search, String op, int page) {
    List<ModelAnalysis.GraphNode> matching = filter(nodes, search, op);
    int pages = Math.max(1, (matching.size() + NodeLinks.PAGE_SIZE - 1) / NodeLinks.PAGE_SIZE);
    long from = (long) (page - 1) * NodeLinks.PAGE_SIZE;
    List<ModelAnalysis.GraphNode> rows = from >= matching.size() ? List.of()
        : matching.subList((int) from, (int) Math.min(matching.size(), from + NodeLinks.PAGE_SIZE));
    return new Page(rows, page, pages, matching.size());
  }

  /**
   * The nodes whose name or op contains {@code search} (case-insensitive) and whose op is {@code op}; an empty or
   * null filter passes every node.
   */
  static List<ModelAnalysis.GraphNode> filter(List<ModelAnalysis.GraphNode> nodes, String search, String op) {
    String needle = search == null ? "" : search.toLowerCase(Locale.ROOT);
    if (needle.isEmpty() && (op == null || op.isEmpty())) {
      return nodes;
    }
    List<ModelAnalysis.GraphNode> matching = new ArrayList<>();
    for (ModelAnalysis.GraphNode n : nodes) {
      if ((op == null || op.isEmpty() || n.op().equals(op)) && (needle.isEmpty()
          || n.name().toLowerCase(Locale.ROOT).contains(needle) || n.op().toLowerCase(Locale.ROOT).contains(needle))) {
        matching.add(n);
      }
    }
    return matching;
  }

  /**
   * The page number asked for, 1 when none.
   *
   * @throws UserFacingException BAD_REQUEST when it is not a whole number from 1
   */
  static int pageParam(Map<String, List<String>> query) {
    String v = first(query, NodeLinks.PAGE_PARAM);
    if (v.isEmpty()) {
      return 1;
    }
    try {
      int p = Integer.parseInt(v.trim());
      if (p >= 1) {
        return p;
      }
    } catch (NumberFormatException notANumber) {
      // reported below
    }
    throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "bad_page",
        NodeLinks.PAGE_PARAM + " must be a whole number from 1, not '" + v + "'");
  }

  static void render(Html h, List<ModelAnalysis.GraphNode> nodes, Set<Integer> failing,
      Map<String, List<String>> query) {
    if (nodes.isEmpty()) {
      h.element("p", "The main graph has no nodes.");
      return;
    }
    String search = first(query, SEARCH_PARAM);
    String op = first(query, OP_PARAM);
    Page p = select(nodes, search, op, pageParam(query));
    searchForm(h, nodes, search, op);
    boolean filtered = !search.isEmpty() || !op.isEmpty();
    String summary = (filtered ? p.matching() + " of " + nodes.size() + " nodes match" : nodes.size()
        + " nodes of the main graph, in order") + "; page " + p.page() + " of " + p.pages()
        + (failing.isEmpty() ? "" : "; a real parse stopped at node " + failing.stream().sorted().toList());
    // Closed on the model page's first view (the verdict is what most readers want); open once the reader pages or
    // searches. A finding's #node-N link opens it too (model.js).
    boolean asked = query.containsKey(NodeLinks.PAGE_PARAM) || filtered;
    if (asked) {
      h.open("details", "class", "fold", "id", "graph-nodes", "open", null);
    } else {
      h.open("details", "class", "fold", "id", "graph-nodes");
    }
    h.element("summary", summary);
    pager(h, p, search, op);
    if (p.rows().isEmpty()) {
      h.element("p", p.matching() == 0 ? "No node matches." : "Page " + p.page() + " is past the end: there "
          + (p.pages() == 1 ? "is 1 page." : "are " + p.pages() + " pages."), "class", "hint", "id", "graph-empty");
    } else {
      table(h, p.rows(), failing);
    }
    pager(h, p, search, op);
    h.close("details");
  }

  private static void table(Html h, List<ModelAnalysis.GraphNode> rows, Set<Integer> failing) {
    h.open("table", "class", "data graph");
    h.open("thead").open("tr").element("th", "#").element("th", "Op").element("th", "Name")
        .element("th", "Inputs").element("th", "Outputs").close("tr").close("thead");
    h.open("tbody");
    for (ModelAnalysis.GraphNode n : rows) {
      if (failing.contains(n.index())) {
        h.open("tr", "id", "node-" + n.index(), "class", "failing-node", "title", "a real parse stopped here");
      } else {
        h.open("tr", "id", "node-" + n.index());
      }
      h.element("td", n.index(), "class", "num");
      h.element("td", n.op(), "class", "mono");
      h.element("td", n.name(), "class", "mono");
      h.element("td", String.join(", ", n.inputs()), "class", "mono");
      h.element("td", String.join(", ", n.outputs()), "class", "mono");
      h.close("tr");
    }
    h.close("tbody").close("table");
  }

  /** A plain GET form (works without script); the op list is the model's own op types. */
  private static void searchForm(Html h, List<ModelAnalysis.GraphNode> nodes, String search, String op) {
    h.open("form", "class", "graph-search", "method", "get", "action", "#" + CompatibilitySections.GRAPH,
        "role", "search");
    h.open("label").text("Node name or op ");
    h.empty("input", "type", "search", "name", SEARCH_PARAM, "value", search, "maxlength", "200");
    h.close("label");
    h.open("label").text(" Op ");
    h.open("select", "name", OP_PARAM);
    Set<String> ops = new TreeSet<>();
    nodes.forEach(n -> ops.add(n.op()));
    h.option("", "any", op);
    ops.forEach(o -> h.option(o, o, op));
    h.close("select").close("label");
    h.element("button", "Search", "type", "submit");
    h.close("form");
  }


  /** First, previous, next and last page links, keeping the search. */
  private static void pager(Html h, Page p, String search, String op) {
    Map<String, String> keep = new LinkedHashMap<>();
    keep.put(SEARCH_PARAM, search);
    keep.put(OP_PARAM, op);
    Pager.write(h, "graph pages", p.page(), p.pages(), NodeLinks.PAGE_PARAM, keep, CompatibilitySections.GRAPH);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> v = query.getOrDefault(name, List.of());
    return v.isEmpty() || v.get(0) == null ? "" : v.get(0);
  }
}
