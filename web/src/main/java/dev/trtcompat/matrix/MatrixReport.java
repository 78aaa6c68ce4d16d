package dev.trtcompat.matrix;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trtcompat.check.GpuChoice;
import java.util.List;

/**
 * A model's compatibility matrix: per TensorRT release and precision, what the static check predicts and what
 * the model's latest job measured, plus the ONNX Runtime CPU reference row. The body of {@code GET
 * /api/v1/models/{id}/matrix}; the page, the CSV and the chart are drawn from it.
 *
 * @param jobId the latest job's id; null when the model has none (every cell then has {@code measured} null)
 * @param precisions the columns, lowercase: fp32, fp16, int8, and best when the job has a BEST cell
 * @param rows knowledge-base releases oldest first, then releases the job ran that the knowledge base lacks
 * @param failingNodes main-graph node indexes the latest job's failed parses stopped at
 * @param gpu the GPU the predictions are filtered for ({@code ?gpu=sm_89}); null when they hold for any GPU
 */
public record MatrixReport(
    String modelId,
    String fileName,
    Long jobId,
    String jobCreatedAt,
    boolean jobUnfinished,
    List<String> precisions,
    List<Row> rows,
    Reference reference,
    List<Integer> failingNodes,
    GpuChoice gpu) {

  public MatrixReport {
    precisions = List.copyOf(precisions);
    rows = List.copyOf(rows);
    failingNodes = List.copyOf(failingNodes);
  }

  /**
   * One TensorRT release.
   *
   * @param containerTag the newest NGC tag shipping it, null when the catalog has none
   * @param cuda that container's CUDA version, null when unknown
   * @param inKnowledgeBase false for a release the job ran but the static checker has no rules for
   * @param verdict the static verdict for the release (compatible, warnings, incompatible, unknown)
   */
  public record Row(String tensorrt, String containerTag, String cuda, boolean inKnowledgeBase, String derivedFrom,
      String verdict, List<Cell> cells) {
    public Row {
      cells = List.copyOf(cells);
    }
  }

  /**
   * One release x precision.
   *
   * @param measured null when the latest job has no cell for it
   * @param contradiction one line when the measurement contradicts the prediction, else null
   */
  public record Cell(String precision, Predicted predicted, Measured measured, String contradiction) {

    public static final String INT8_QDQ = "INT8 (calibrated, Q/DQ)";
    public static final String INT8_QDQ_RANDOM = "INT8 (Q/DQ, scales from random data: timing only)";
    public static final String INT8_PLACEHOLDER = "INT8 (placeholder scales)";

    /** The DOM's {@code data-state}: the measured cell's state, or {@code none}. */
    @JsonIgnore
    public String state() {
      return measured == null ? "none" : measured.state();
    }

    /**
     * What the column builds, for people: {@value #INT8_QDQ} when the release reads the model's Q/DQ scales,
     * {@value #INT8_QDQ_RANDOM} when it reads scales that our quantizer computed from random samples,
     * {@value #INT8_PLACEHOLDER} when trtexec --int8 has to invent them; else the precision in capitals (also for
     * INT8 where the checker has no per-precision verdict, a release outside the knowledge base).
     */
    @JsonProperty("label")
    public String label() {
      String upper = precision.toUpperCase(java.util.Locale.ROOT);
      if (!"int8".equals(precision) || predicted.assumes() == null) {
        return upper;
      }
      return int8Label(predicted.placeholderScales(), predicted.randomScales());
    }

    /**
     * The INT8 label: placeholder scales (no Q/DQ the release reads), Q/DQ scales from random data (the model's
     * {@code metadata_props} caveat, {@link dev.trtcompat.quantize.Quantizer#scalesFromRandomData}), else calibrated
     * Q/DQ. The matrix and {@code check}'s text use it.
     */
    public static String int8Label(boolean placeholderScales, boolean randomScales) {
      return placeholderScales ? INT8_PLACEHOLDER : randomScales ? INT8_QDQ_RANDOM : INT8_QDQ;
    }
  }

  /**
   * The heading of a precision column. INT8: {@value Cell#INT8_QDQ} (or {@value Cell#INT8_QDQ_RANDOM}) when any
   * judged release reads the model's Q/DQ scales (releases that cannot, before explicit quantization, say placeholder
   * scales in their own cells), {@value Cell#INT8_PLACEHOLDER} when every judged release has to invent them; else the
   * precision in capitals.
   */
  public String columnLabel(String precision) {
    List<String> labels = rows.stream().flatMap(r -> r.cells().stream())
        .filter(c -> c.precision().equals(precision) && c.predicted().assumes() != null)
        .map(Cell::label).distinct().toList();
    for (String qdq : List.of(Cell.INT8_QDQ, Cell.INT8_QDQ_RANDOM)) {
      if (labels.contains(qdq)) {
        return qdq;
      }
    }
    return labels.size() == 1 ? labels.get(0) : precision.toUpperCase(java.util.Locale.ROOT);
  }

  /**
   * The static check's answer for one release and precision: the parse verdict combined with what building in
   * that precision adds (layer fallbacks, INT8 placeholder scales, Q/DQ rules, the chosen GPU's limits).
   *
   * @param verdict compatible, warnings, incompatible or unknown
   * @param reasons the precision's own findings first, then the release's parse findings
   * @param placeholderScales an INT8 build without Q/DQ nodes or calibration: timings real, accuracy meaningless
   * @param randomScales an INT8 build of a Q/DQ model whose scales our quantizer computed from random samples (its
   *     {@code metadata_props} say so): timings real, accuracy meaningless
   * @param assumes the GPUs the prediction holds for (the chosen GPU, or the architectures it assumes); null for a
   *     column the checker does not judge per precision (BEST, releases outside the knowledge base)
   */
  public record Predicted(String verdict, List<Reason> reasons, List<String> notes, boolean placeholderScales,
      boolean randomScales, String assumes) {
    public Predicted {
      reasons = List.copyOf(reasons);
      notes = List.copyOf(notes);
    }
  }

  /**
   * One finding behind a prediction.
   *
   * @param severity error, warning or info
   * @param nodeIndex the main-graph node it concerns (the graph listing's {@code #node-N}); null for the model
   */
  public record Reason(String severity, String message, Integer nodeIndex, String node) {}

  /**
   * What the latest job's cell measured; figures are null when the run did not produce them.
   *
   * @param state the cell's state, lowercase (queued, running, succeeded, failed, cancelled, skipped,
   *     interrupted)
   * @param reason why the cell failed, was skipped, cancelled or interrupted
   * @param outcome the conversion's outcome (success, parse_failure, build_failure, timeout, cancelled, error);
   *     null when the container never ran
   * @param failingNode the main-graph node the parser stopped at
   * @param qdqEvidence for an INT8 build of a Q/DQ model, what its log shows about the model's scales: {@code
   *     shown}, {@code missing} (a warning) or {@code not_in_log} (strongly typed); null otherwise
   * @param qdqEvidenceMessage that finding in words
   */
  public record Measured(
      long cellId,
      String state,
      String reason,
      String outcome,
      Double buildTimeSeconds,
      Double medianLatencyMs,
      Double p99LatencyMs,
      Double throughputQps,
      Long engineBytes,
      String gpu,
      String engineSha256,
      String engineUrl,
      String logUrl,
      Boolean accuracyPassed,
      Integer failingNode,
      String qdqEvidence,
      String qdqEvidenceMessage,
      List<String> notes) {
    public Measured {
      notes = notes == null ? List.of() : List.copyOf(notes);
    }
  }

  /**
   * The ONNX Runtime CPU reference row (FP32).
   *
   * @param state none, queued, running, succeeded or failed
   * @param error why the run failed; only when failed
   */
  public record Reference(
      String state,
      Double medianLatencyMs,
      Double p99LatencyMs,
      Double throughputQps,
      Integer threads,
      String onnxruntimeVersion,
      Integer runs,
      String error,
      String updatedAt) {}
}
