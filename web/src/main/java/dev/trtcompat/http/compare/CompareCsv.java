package dev.trtcompat.http.compare;

import dev.trtcompat.http.compare.CompareReport.Cell;
import dev.trtcompat.http.compare.CompareReport.ModelRow;
import dev.trtcompat.matrix.MatrixCsv;
import dev.trtcompat.matrix.MatrixReport;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The comparison as CSV (RFC 4180, CRLF, header line): per model, one {@code reference} record (the CPU column)
 * then one {@code tensorrt} record per release x precision column, in the report's row order. The same figures
 * as the JSON, so one can be checked against the other. {@code label} is the model's family label,
 * {@code cell_label} what the cell builds (the JSON cell's {@code label}, e.g. {@code INT8 (placeholder scales)}).
 * New columns go at the end, so scripts that read by position keep working.
 */
public final class CompareCsv {

  public static final List<String> COLUMNS = List.of("model_id", "file_name", "label", "parameters", "flops",
      "flops_complete", "row", "tensorrt", "precision", "predicted", "state", "outcome", "median_latency_ms",
      "p99_latency_ms", "throughput_qps", "engine_bytes", "build_time_s", "accuracy_delta", "accuracy_passed",
      "placeholder_int8", "fastest_in_column", "cell_id", "cell_label", "random_scales_int8");

  private CompareCsv() {}

  public static String write(CompareReport report) {
    StringBuilder out = new StringBuilder();
    line(out, COLUMNS);
    for (ModelRow r : report.rows()) {
      List<String> model = List.of(r.modelId(), nz(r.fileName()), nz(r.label()), num(r.parameters()),
          num(r.flops()), Boolean.toString(r.flopsComplete()));
      MatrixReport.Reference ref = r.reference();
      List<String> fields = new ArrayList<>(model);
      fields.addAll(Arrays.asList("reference", "", "fp32", "", ref == null ? "none" : ref.state(), "",
          ref == null ? "" : num(ref.medianLatencyMs()), ref == null ? "" : num(ref.p99LatencyMs()),
          ref == null ? "" : num(ref.throughputQps()), "", "", "", "", "", "", "", "", ""));
      line(out, fields);
      for (Cell c : r.cells()) {
        MatrixReport.Measured m = c.measured();
        fields = new ArrayList<>(model);
        fields.addAll(Arrays.asList("tensorrt", c.tensorrt(), c.precision(), c.predicted(), c.state(),
            m == null ? "" : nz(m.outcome()), m == null ? "" : num(m.medianLatencyMs()),
            m == null ? "" : num(m.p99LatencyMs()), m == null ? "" : num(m.throughputQps()),
            m == null ? "" : num(m.engineBytes()), m == null ? "" : num(m.buildTimeSeconds()),
            num(c.accuracyDelta()), c.accuracyPassed() == null ? "" : c.accuracyPassed().toString(),
            Boolean.toString(c.placeholderInt8()), Boolean.toString(c.fastest()),
            m == null ? "" : Long.toString(m.cellId()), nz(c.label()), Boolean.toString(c.randomScalesInt8())));
        line(out, fields);
      }
    }
    return out.toString();
  }

  private static void line(StringBuilder out, List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      out.append(i == 0 ? "" : ",").append(MatrixCsv.field(fields.get(i)));
    }
    out.append("\r\n");
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static String num(Double d) {
    return d == null || d.isNaN() || d.isInfinite() ? "" : BigDecimal.valueOf(d).toPlainString();
  }

  private static String num(Long l) {
    return l == null ? "" : l.toString();
  }
}
