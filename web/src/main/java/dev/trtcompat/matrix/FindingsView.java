package dev.trtcompat.matrix;

import dev.trtcompat.check.Finding;
import dev.trtcompat.errors.UserFacingException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which findings each release's table on the model page shows: those matching a search ({@code ?findings-q=}: node
 * name, op or message, case-insensitive) and a kind ({@code ?findings-kind=}: a rule id such as
 * {@code op.unsupported}, or its prefix such as {@code op}), {@link #PAGE_SIZE} a page ({@code ?findings-page=}).
 *
 * @param page 1-based, the same page number for every release's table
 */
public record FindingsView(String search, String kind, int page) {

  public static final int PAGE_SIZE = 50;
  public static final String SEARCH_PARAM = "findings-q";
  public static final String KIND_PARAM = "findings-kind";
  public static final String PAGE_PARAM = "findings-page";

  /** The first page of everything: what the model page and the live fragment show without a query. */
  public static final FindingsView FIRST = new FindingsView("", "", 1);

  /**
   * From the page's query parameters.
   *
   * @throws UserFacingException BAD_REQUEST when the page is not a whole number from 1
   */
  public static FindingsView from(Map<String, List<String>> query) {
    String page = first(query, PAGE_PARAM);
    int p = 1;
    if (!page.isEmpty()) {
      try {
        p = Integer.parseInt(page.trim());
      } catch (NumberFormatException notANumber) {
        p = 0;
      }
      if (p < 1) {
        throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "bad_page",
            PAGE_PARAM + " must be a whole number from 1, not '" + page + "'");
      }
    }
    return new FindingsView(first(query, SEARCH_PARAM), first(query, KIND_PARAM), p);
  }

  public boolean filtered() {
    return !search.isEmpty() || !kind.isEmpty();
  }

  boolean matches(Finding f) {
    if (!kind.isEmpty() && !f.rule().equals(kind) && !f.rule().startsWith(kind + ".")) {
      return false;
    }
    if (search.isEmpty()) {
      return true;
    }
    String needle = search.toLowerCase(Locale.ROOT);
    return contains(f.node(), needle) || contains(f.op(), needle) || contains(f.message(), needle);
  }

  private static boolean contains(String text, String needle) {
    return text != null && text.toLowerCase(Locale.ROOT).contains(needle);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> v = query.getOrDefault(name, List.of());
    return v.isEmpty() || v.get(0) == null ? "" : v.get(0);
  }
}
