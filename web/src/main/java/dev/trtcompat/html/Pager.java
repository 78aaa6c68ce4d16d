package dev.trtcompat.html;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The pager under a paged table of the model page (the graph listing, each release's findings): first, previous,
 * "page N of M", next and last, as links that keep the table's search and land on its anchor. Links that lead
 * nowhere (previous on the first page) are plain text.
 */
public final class Pager {

  private Pager() {}

  /**
   * Writes nothing when everything fits on the first page.
   *
   * @param label the {@code <nav>}'s accessible name
   * @param pageParam the query parameter that picks the page
   * @param keep the table's other query parameters (search, filters), in order; empty ones are left out
   * @param anchor the element id the links land on
   */
  public static void write(Html h, String label, int page, int pages, String pageParam, Map<String, String> keep,
      String anchor) {
    if (pages <= 1 && page == 1) {
      return;
    }
    h.open("nav", "class", "pager", "aria-label", label);
    link(h, "first", 1, page != 1, pageParam, keep, anchor);
    // past the end, "previous" is the last page
    link(h, "previous", Math.min(page - 1, pages), page > 1, pageParam, keep, anchor);
    h.element("span", "page " + page + " of " + pages, "class", "pager-at");
    link(h, "next", page + 1, page < pages, pageParam, keep, anchor);
    link(h, "last", pages, page != pages, pageParam, keep, anchor);
    h.close("nav");
  }

  private static void link(Html h, String rel, int page, boolean enabled, String pageParam, Map<String, String> keep,
      String anchor) {
    if (!enabled) {
      h.element("span", rel, "class", "pager-off");
      return;
    }
    StringBuilder q = new StringBuilder("?").append(pageParam).append('=').append(page);
    keep.forEach((name, value) -> {
      if (value != null && !value.isEmpty()) {
        q.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    });
    h.text(" ").open("a", "href", q + "#" + anchor, "rel", rel.equals("previous") ? "prev" : rel,
        "class", "pager-" + rel).text(rel).close("a").text(" ");
  }
}
