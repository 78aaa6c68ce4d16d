package dev.trtcompat.html;

import java.util.regex.Pattern;

/**
 * Builds HTML where every piece of text and every attribute value is escaped on the way in; only tag and
 * attribute names (constants in our code, checked) and {@link #trusted} constants go in as they are. Model
 * files are hostile input: their names, metadata and op types reach pages only through here.
 */
public final class Html {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9-]*");

  private final StringBuilder out = new StringBuilder(4096);

  /** Escapes text for element content and quoted attribute values alike. */
  public static String escape(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        case '\0' -> b.append('\uFFFD');
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Opens {@code tag} with attributes given as name, value pairs; values are escaped. */
  public Html open(String tag, String... attributes) {
    out.append('<').append(name(tag));
    attributes(attributes);
    out.append('>');
    return this;
  }

  public Html close(String tag) {
    out.append("</").append(name(tag)).append('>');
    return this;
  }

  /** An element holding only text: {@code <tag attrs>text</tag>}. */
  public Html element(String tag, Object text, String... attributes) {
    return open(tag, attributes).text(text).close(tag);
  }

  /** An element without content or end tag (input, meta, link, br). */
  public Html empty(String tag, String... attributes) {
    out.append('<').append(name(tag));
    attributes(attributes);
    out.append('>');
    return this;
  }

  /** An {@code <option>} of a select, marked selected when {@code value} is the current choice. */
  public Html option(String value, String label, String selected) {
    if (value.equals(selected)) {
      open("option", "value", value, "selected", null);
    } else {
      open("option", "value", value);
    }
    return text(label).close("option");
  }

  public Html text(Object text) {
    out.append(escape(text == null ? "" : String.valueOf(text)));
    return this;
  }

  /** Markup written by us, never built from input (the doctype, an SVG constant). */
  public Html trusted(String constantMarkup) {
    out.append(constantMarkup);
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private void attributes(String[] attributes) {
    if (attributes.length % 2 != 0) {
      throw new IllegalArgumentException("attributes come in name, value pairs");
    }
    for (int i = 0; i < attributes.length; i += 2) {
      out.append(' ').append(name(attributes[i]));
      if (attributes[i + 1] != null) {
        out.append("=\"").append(escape(attributes[i + 1])).append('"');
      }
    }
  }

  private static String name(String n) {
    if (!NAME.matcher(n).matches()) {
      throw new IllegalArgumentException("not a tag or attribute name: " + n);
    }
    return n;
  }
}
