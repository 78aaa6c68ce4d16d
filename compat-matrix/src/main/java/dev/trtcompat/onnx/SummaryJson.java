package dev.trtcompat.onnx;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link ModelSummary} as JSON, byte for byte what {@code Json.pretty()} (Jackson's default pretty
 * printer) writes for it.
 *
 * <p>Why not Jackson: the first serialization in a fresh JVM costs Jackson hundreds of classes and record
 * introspection, a large share of a one-shot {@code inspect --json}. A test compares both writers over the
 * whole libonnx-testdata corpus, so the two cannot drift apart.
 */
final class SummaryJson {

  private final StringBuilder out = new StringBuilder(4096);
  private int depth;

  private SummaryJson() {}

  static String write(ModelSummary s) {
    SummaryJson w = new SummaryJson();
    w.summary(s);
    return w.out.toString();
  }

  private void summary(ModelSummary s) {
    beginObject();
    field("irVersion", true).append(s.irVersion());
    field("producerName", false);
    string(s.producerName());
    field("producerVersion", false);
    string(s.producerVersion());
    field("opsetImports", false);
    map(s.opsetImports());
    field("inputs", false);
    values(s.inputs());
    field("outputs", false);
    values(s.outputs());
    field("nodeCount", false).append(s.nodeCount());
    field("ops", false);
    map(s.ops());
    field("initializerCount", false).append(s.initializerCount());
    field("initializerBytes", false).append(s.initializerBytes());
    field("externalDataFiles", false);
    array(s.externalDataFiles());
    field("subgraphCount", false).append(s.subgraphCount());
    field("metadata", false);
    map(s.metadata());
    field("functions", false);
    array(s.functions());
    endObject();
  }

  private void values(List<ModelSummary.ValueSummary> values) {
    if (values.isEmpty()) {
      out.append("[ ]");
      return;
    }
    // Jackson's inline array indenter does not deepen the indentation of the objects inside.
    out.append("[ ");
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        out.append(", ");
      }
      ModelSummary.ValueSummary v = values.get(i);
      beginObject();
      field("name", true);
      string(v.name());
      field("elemType", false);
      string(v.elemType());
      field("shape", false);
      if (v.shape() == null) {
        out.append("null");
      } else {
        array(v.shape());
      }
      endObject();
    }
    out.append(" ]");
  }

  private void map(Map<String, ?> m) {
    if (m.isEmpty()) {
      out.append("{ }");
      return;
    }
    beginObject();
    boolean first = true;
    for (Map.Entry<String, ?> e : m.entrySet()) {
      field(e.getKey(), first);
      scalar(e.getValue());
      first = false;
    }
    endObject();
  }

  private void array(List<?> values) {
    if (values.isEmpty()) {
      out.append("[ ]");
      return;
    }
    out.append("[ ");
    Iterator<?> it = values.iterator();
    while (it.hasNext()) {
      scalar(it.next());
      if (it.hasNext()) {
        out.append(", ");
      }
    }
    out.append(" ]");
  }

  private void scalar(Object v) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      string(s);
    } else {
      out.append(v);
    }
  }

  private void beginObject() {
    out.append('{');
    depth++;
  }

  private void endObject() {
    depth--;
    newline();
    out.append('}');
  }

  private StringBuilder field(String name, boolean first) {
    if (!first) {
      out.append(',');
    }
    newline();
    string(name);
    return out.append(" : ");
  }

  private void newline() {
    out.append(System.lineSeparator());
    for (int i = 0; i < depth; i++) {
      out.append("  ");
    }
  }

  /** JSON string with Jackson's escapes: quote, backslash, and control characters. */
  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04X", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
