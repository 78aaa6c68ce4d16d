package dev.trtcompat.trtexec;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a trtexec (TensorRT 6.x to 10.x) or Polygraphy console log says: version, outcome, the failing ONNX
 * node, errors, warnings, build time, engine size and the performance summary. Null where the log does not
 * say.
 *
 * <p>The first ten components are the JSON contract of {@code POST /api/v1/logs/explain} and {@code
 * explain-log --json}; the rest are extras that follow them.
 *
 * @param tool {@code trtexec}, {@code polygraphy}, {@code tensorrt} (parser output from an unnamed tool) or
 *     {@code unknown} (nothing recognisable)
 * @param mode {@code build_and_inference}, {@code build_only}, {@code inference_only}, or null
 * @param engineBytesSource where {@link #engineBytes} came from: {@code engine_file} (exact), {@code
 *     created_engine_line} (MiB with four decimals), {@code loaded_engine_line} (whole MiB or MB)
 * @param explicitQuantizationLine the log's line saying TensorRT built in explicit-quantization (Q/DQ) mode, as
 *     printed without stamps and tags ({@code Calibrator won't be used in explicit precision mode. ...}); null when
 *     the log has none, which proves nothing by itself (see {@link QdqEvidence})
 * @param notes what the parser itself noticed (truncation, a known reporting quirk); not from the log
 */
@JsonPropertyOrder({
  "tensorrtVersion", "outcome", "failingNode", "errors", "warnings", "buildTimeSeconds", "engineBytes",
  "throughputQps", "latencyMs", "gpuComputeMs"
})
public record TrtexecLog(
    String tensorrtVersion,
    Outcome outcome,
    FailingNode failingNode,
    List<String> errors,
    List<LogWarning> warnings,
    Double buildTimeSeconds,
    Long engineBytes,
    Double throughputQps,
    Timing latencyMs,
    Timing gpuComputeMs,
    String tool,
    String mode,
    Gpu gpu,
    Timing h2dMs,
    Timing d2hMs,
    Timing enqueueMs,
    Timing endToEndMs,
    Double hostWalltimeSeconds,
    Double totalGpuComputeSeconds,
    String precision,
    String calibration,
    String command,
    String engineBytesSource,
    List<FailingNode> failingNodes,
    Comparison comparison,
    String explicitQuantizationLine,
    List<String> notes,
    long linesRead) {

  /** How the run ended, as far as the log shows. */
  public enum Outcome {
    SUCCESS("success"),
    /** The ONNX (or Caffe/UFF) parser rejected the model. */
    PARSE_FAILURE("parse_failure"),
    /** The network parsed but no engine came out (validation, tactics, memory, profile errors). */
    BUILD_FAILURE("build_failure"),
    /** An engine existed but inference could not run. */
    INFERENCE_FAILURE("inference_failure"),
    /** Polygraphy ran both back ends and the outputs differ beyond tolerance. */
    ACCURACY_FAILURE("accuracy_failure"),
    UNKNOWN("unknown");

    private final String wire;

    Outcome(String wire) {
      this.wire = wire;
    }

    @JsonValue
    public String wire() {
      return wire;
    }

    public boolean failed() {
      return this != SUCCESS && this != UNKNOWN;
    }
  }

  /**
   * The ONNX node the parser stopped at.
   *
   * @param index position in the model's {@code graph.node} list, 0-based, as the parser prints it
   * @param op the operator type the parser printed, null when not printed
   * @param name the node name from the node dump or TensorRT 10 message, null when not printed
   * @param output the node's first output as printed, null when not printed (TensorRT 7.0 format)
   */
  public record FailingNode(int index, String op, String name, String output) {}

  /** One distinct warning; {@code kind} groups the ones that have a known meaning. */
  public record LogWarning(String kind, String message) {}

  /** A latency distribution in milliseconds; null members were not printed (8.4 prints only p99). */
  @JsonPropertyOrder({"min", "mean", "median", "p90", "p95", "p99", "max"})
  public record Timing(
      Double min, Double mean, Double median, Double p90, Double p95, Double p99, Double max) {}

  /** The GPU trtexec selected, from its "=== Device Information ===" block. */
  public record Gpu(String name, String computeCapability) {}

  /**
   * A Polygraphy accuracy comparison.
   *
   * @param passed null when the log ends before a verdict
   * @param passRatePercent from the "Accuracy Summary" line
   */
  public record Comparison(
      Boolean passed,
      Double passRatePercent,
      Integer iterationsPassed,
      Integer iterationsTotal,
      List<String> passedOutputs,
      List<String> failedOutputs,
      Double runtimeSeconds) {}

  /** Parses a log in one streaming pass; memory stays bounded whatever the length. Never throws on content. */
  public static TrtexecLog parse(Reader reader) throws IOException {
    TrtexecLogParser parser = new TrtexecLogParser();
    BoundedLineReader lines = new BoundedLineReader(reader, BoundedLineReader.DEFAULT_MAX_LINE_CHARS);
    String line;
    while ((line = lines.readLine()) != null) {
      parser.accept(line);
    }
    return parser.finish(lines.truncatedLines());
  }

  /** Parses UTF-8 (or ASCII) bytes; malformed bytes become U+FFFD instead of failing. */
  public static TrtexecLog parse(InputStream in) throws IOException {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    return parse(new InputStreamReader(in, decoder));
  }

  /** Parses an in-memory log; convenient for tests and small HTTP bodies. */
  public static TrtexecLog parse(String text) {
    try {
      return parse(new java.io.StringReader(text));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The same record with the engine size replaced by an exact figure. */
  public TrtexecLog withEngineBytes(long bytes, String source) {
    return new TrtexecLog(
        tensorrtVersion, outcome, failingNode, errors, warnings, buildTimeSeconds, bytes, throughputQps,
        latencyMs, gpuComputeMs, tool, mode, gpu, h2dMs, d2hMs, enqueueMs, endToEndMs, hostWalltimeSeconds,
        totalGpuComputeSeconds, precision, calibration, command, source, failingNodes, comparison, explicitQuantizationLine, notes,
        linesRead);
  }

  /** True when at least one line was recognised as TensorRT or Polygraphy output. */
  public boolean recognised() {
    return !"unknown".equals(tool);
  }
}
