package dev.trtcompat.matrix;

import dev.trtcompat.matrix.MatrixReport.Measured;
import dev.trtcompat.matrix.MatrixReport.Reason;
import dev.trtcompat.matrix.MatrixReport.Reference;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The matrix as CSV (RFC 4180): one line per release x precision, then the reference row. Every field that
 * could begin a spreadsheet formula gets a leading apostrophe: node names in reasons come from the model.
 */
public final class MatrixCsv {

  /** The header line's columns, in order. */
  public static final List<String> COLUMNS = List.of(
      "row", "tensorrt", "container_tag", "cuda", "in_knowledge_base", "precision", "predicted", "predicted_reasons",
      "state", "outcome", "reason", "build_time_s", "median_latency_ms", "p99_latency_ms", "throughput_qps",
      "engine_bytes", "gpu", "engine_sha256", "accuracy_passed", "failing_node", "contradiction", "cell_id",
      "precision_label");

  private MatrixCsv() {}

  /** The whole document, CRLF line ends as RFC 4180 says. */
  public static String write(MatrixReport report) {
    StringBuilder out = new StringBuilder(4096);
    line(out, COLUMNS);
    for (MatrixReport.Row row : report.rows()) {
      for (MatrixReport.Cell c : row.cells()) {
        Measured m = c.measured();
        line(out, Arrays.asList("tensorrt", row.tensorrt(), row.containerTag(), row.cuda(),
            String.valueOf(row.inKnowledgeBase()), c.precision(), c.predicted().verdict(),
            c.predicted().reasons().stream().map(Reason::message).collect(Collectors.joining("; ")),
            c.state(),
            m == null ? null : m.outcome(), m == null ? null : m.reason(),
            m == null ? null : number(m.buildTimeSeconds()), m == null ? null : number(m.medianLatencyMs()),
            m == null ? null : number(m.p99LatencyMs()), m == null ? null : number(m.throughputQps()),
            m == null || m.engineBytes() == null ? null : m.engineBytes().toString(), m == null ? null : m.gpu(),
            m == null ? null : m.engineSha256(),
            m == null || m.accuracyPassed() == null ? null : m.accuracyPassed().toString(),
            m == null || m.failingNode() == null ? null : m.failingNode().toString(), c.contradiction(),
            m == null ? null : Long.toString(m.cellId()), c.label()));
      }
    }
    Reference r = report.reference();
    if (r != null) {
      line(out, Arrays.asList("reference", null, "onnxruntime-cpu", null, null, "fp32", null, null, r.state(),
          null, r.error(), null, number(r.medianLatencyMs()), number(r.p99LatencyMs()), number(r.throughputQps()),
          null, null, null, null, null, null, null, "FP32"));
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> fields) {
    List<String> quoted = new ArrayList<>(fields.size());
    for (String f : fields) {
      quoted.add(field(f));
    }
    out.append(String.join(",", quoted)).append("\r\n");
  }

  /**
   * One field: neutralised against formula injection, then quoted when it holds a comma, quote or line end. Every
   * CSV export of the product writes its fields through this (the matrix and the comparison).
   */
  public static String field(String value) {
    if (value == null || value.isEmpty()) {
      return "";
    }
    String v = value;
    char first = v.charAt(0);
    if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }

  private static String number(Double d) {
    return d == null || d.isNaN() || d.isInfinite() ? null : BigDecimal.valueOf(d).toPlainString();
  }
}
