package dev.trtcompat.http.compare;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.trtcompat.matrix.MatrixReport;
import java.util.List;

/**
 * Several models side by side: a row per model, a column per TensorRT release x precision, each cell taken from
 * that model's {@link MatrixReport} (prediction and latest measurement), plus the CPU reference, FLOPs, speed-ups
 * and the best configuration within an accuracy bound. The body of {@code GET /api/v1/compare}; the page, CSV
 * and chart are drawn from it.
 *
 * @param columns release x precision, in the order shown
 * @param maxError the accuracy bound used for {@code best}; null when none was set
 * @param sort the column key the rows are sorted by (null: the order the models were given)
 * @param rows the models, sorted; with a label filter only the matching ones
 * @param overall the fastest of the rows' best choices; null when nothing qualifying is measured
 * @param chartRelease the release the chart draws
 * @param unfinished true while any row's latest job still has queued or running cells
 */
public record CompareReport(
    List<Column> columns,
    Double maxError,
    String accuracyMeasure,
    String flopsCounting,
    String sort,
    boolean descending,
    String label,
    boolean groupByLabel,
    List<ModelRow> rows,
    Choice overall,
    String chartRelease,
    boolean unfinished) {

  public CompareReport {
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
  }

  /**
   * One release x precision.
   *
   * @param key {@code RELEASE/PRECISION}, e.g. {@code 8.6/fp16}: the sort key and the cells' {@code column}
   * @param fastestModelId the fastest measured model among those predicted or measured to convert; null when none
   *     is measured
   */
  public record Column(String key, String tensorrt, String precision, String fastestModelId) {}

  /**
   * One model.
   *
   * @param label the model's family label (e.g. {@code backbone=mobilenet_v3}); null when unset
   * @param parameters weights' elements from the file; null when the file could not be read for it
   * @param flops 2 x multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul at the stated shapes
   * @param flopsComplete false when some counted node had unknown shapes (flops is then a lower bound)
   * @param reference the ONNX Runtime CPU FP32 column
   * @param jobId the latest job, null when none
   * @param best the fastest measured configuration within the accuracy bound; null when none qualifies
   */
  public record ModelRow(
      String modelId,
      String fileName,
      String label,
      Long parameters,
      Long flops,
      boolean flopsComplete,
      MatrixReport.Reference reference,
      Long jobId,
      boolean jobUnfinished,
      List<Cell> cells,
      List<Speedup> speedups,
      Choice best) {
    public ModelRow {
      cells = List.copyOf(cells);
      speedups = List.copyOf(speedups);
    }

    /** The cell of a column key, or null. */
    @JsonIgnore
    public Cell cell(String key) {
      return cells.stream().filter(c -> c.column().equals(key)).findFirst().orElse(null);
    }
  }

  /**
   * One model x release x precision.
   *
   * @param predicted the release's static verdict for this model (compatible, warnings, incompatible, unknown)
   * @param measured the latest job's cell there, null when not measured (figures as in the matrix report)
   * @param accuracyDelta the engine's largest absolute output error against the CPU reference; null when the
   *     cell ran no accuracy check
   * @param accuracyPassed the accuracy check's verdict under the precision's tolerance; null when not checked
   * @param label what the cell builds, for people, as the model page's matrix says it
   *     ({@link MatrixReport.Cell#label}): {@code INT8 (Q/DQ, scales from random data: timing only)} for a Q/DQ
   *     model quantized on random samples, {@code INT8 (placeholder scales)}, or the precision in capitals
   * @param placeholderInt8 INT8 built with trtexec's placeholder dynamic ranges (no Q/DQ, no calibration): its
   *     timing is indicative and its accuracy is not meaningful
   * @param randomScalesInt8 INT8 of a Q/DQ model whose scales came from random samples: timing only, its accuracy
   *     is not meaningful either
   * @param fastest true when this is its column's fastest model
   */
  public record Cell(
      String column,
      String tensorrt,
      String precision,
      String label,
      String predicted,
      MatrixReport.Measured measured,
      Double accuracyDelta,
      Boolean accuracyPassed,
      boolean placeholderInt8,
      boolean randomScalesInt8,
      boolean fastest) {

    /** Its timing is real but its accuracy says nothing (placeholder or random-data scales). */
    @JsonIgnore
    public boolean timingOnly() {
      return placeholderInt8 || randomScalesInt8;
    }

    /** The DOM's {@code data-state}: the measured cell's state, or {@code none}. */
    @JsonIgnore
    public String state() {
      return measured == null ? "none" : measured.state();
    }

    /** The median latency of a measured engine that built and ran; null otherwise. */
    @JsonIgnore
    public Double medianMs() {
      return measured == null || !built(measured) ? null : measured.medianLatencyMs();
    }

    /** Predicted to convert (compatible or warnings) or measured to have built an engine. */
    @JsonIgnore
    public boolean converts() {
      return "compatible".equals(predicted) || "warnings".equals(predicted) || (measured != null && built(measured));
    }

    static boolean built(MatrixReport.Measured m) {
      return "success".equals(m.outcome()) || (m.outcome() == null && "succeeded".equals(m.state()));
    }
  }

  /**
   * Reduced precision against FP32 on one release, with what it costs in accuracy.
   *
   * @param speedup FP32 median latency / this precision's median latency; null unless both are measured
   * @param accuracyDelta this precision's largest absolute output error against the CPU reference
   * @param label the cell's label ({@link Cell#label})
   */
  public record Speedup(String tensorrt, String precision, String label, Double speedup, Double accuracyDelta,
      Boolean accuracyPassed, boolean placeholderInt8) {}

  /**
   * A measured configuration: which model, where, how fast, at what accuracy cost.
   *
   * @param label the cell's label ({@link Cell#label})
   * @param timingOnly the engine's accuracy is not meaningful (placeholder or random-data INT8 scales): it can only
   *     be a choice when no accuracy bound is set, and then says so
   */
  public record Choice(String modelId, String fileName, String tensorrt, String precision, double medianLatencyMs,
      Double p99LatencyMs, Double throughputQps, Double accuracyDelta, String label, boolean timingOnly) {}
}
