package dev.trtcompat.trtexec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Entry point for "what does this trtexec log say?": the CLI's {@code explain-log} and the HTTP route
 * {@code POST /api/v1/logs/explain} both call {@link #explain(InputStream)} and {@link #toJson}.
 */
public final class LogExplainer {

  private LogExplainer() {}

  /**
   * Parses a log from a stream (not closed here).
   *
   * @throws UserFacingException INVALID_INPUT when nothing in the input is trtexec, TensorRT or Polygraphy
   *     output (empty input, binary data, another tool's log)
   */
  public static TrtexecLog explain(InputStream log) {
    try {
      return requireRecognised(TrtexecLog.parse(log));
    } catch (IOException e) {
      throw new UserFacingException(
          UserFacingException.Kind.INVALID_INPUT, "unreadable_log", "Could not read the log: " + e.getMessage(), e);
    }
  }

  /** Parses a log file. */
  public static TrtexecLog explain(Path log) {
    try (InputStream in = Files.newInputStream(log)) {
      return explain(in);
    } catch (NoSuchFileException e) {
      throw new UserFacingException(
          UserFacingException.Kind.NOT_FOUND, "log_not_found", "No such log file: " + log + ". Check the path.", e);
    } catch (IOException e) {
      throw new UserFacingException(
          UserFacingException.Kind.INVALID_INPUT, "unreadable_log", "Could not read " + log + ": " + e.getMessage(), e);
    }
  }

  /** Parses a log file and takes the exact engine size from the engine trtexec saved. */
  public static TrtexecLog explain(Path log, Path engine) {
    TrtexecLog parsed = explain(log);
    try {
      return parsed.withEngineBytes(Files.size(engine), "engine_file");
    } catch (IOException e) {
      throw new UserFacingException(
          UserFacingException.Kind.NOT_FOUND, "engine_not_found", "Cannot read the engine file " + engine + ".", e);
    }
  }

  /** The record as JSON with the shared mapper, pretty-printed. */
  public static String toJson(TrtexecLog log) {
    try {
      return Json.pretty().writeValueAsString(log);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The log's JSON document with {@code modelNode} appended when the failing node was mapped to a model;
   * the HTTP route and {@code explain-log --json} print exactly this.
   */
  public static ObjectNode toJsonTree(TrtexecLog log, ModelNodeMatch modelNode) {
    ObjectNode node = Json.mapper().valueToTree(log);
    if (modelNode != null) {
      node.set("modelNode", Json.mapper().valueToTree(modelNode));
    }
    return node;
  }

  static TrtexecLog requireRecognised(TrtexecLog log) {
    if (!log.recognised()) {
      throw new UserFacingException(
          UserFacingException.Kind.INVALID_INPUT,
          "unrecognised_log",
          log.linesRead() == 0
              ? "The log is empty. Pass the console output of trtexec or polygraphy."
              : "No trtexec, TensorRT or Polygraphy output found in " + log.linesRead()
                  + " line(s). Pass the console output of trtexec (stdout and stderr).");
    }
    return log;
  }

  /** A few lines for people: verdict first, then the facts the log gives. */
  public static List<String> describe(TrtexecLog log) {
    List<String> out = new ArrayList<>();
    String tool = log.tool();
    out.add(verdict(log));
    if (log.tensorrtVersion() != null) {
      out.add("TensorRT    " + log.tensorrtVersion() + " (" + tool + ")");
    } else {
      out.add("TensorRT    version not printed (" + tool + ")");
    }
    if (log.gpu() != null) {
      out.add("GPU         " + orDash(log.gpu().name())
          + (log.gpu().computeCapability() != null ? ", compute capability " + log.gpu().computeCapability() : ""));
    }
    if (log.precision() != null) {
      out.add("Precision   " + log.precision()
          + (log.calibration() != null ? " (calibration: " + log.calibration() + ")" : ""));
    }
    if (log.explicitQuantizationLine() != null) {
      // The calibrator line: TensorRT found Q/DQ layers and builds from their scales (docs/trtexec.md).
      out.add("Q/DQ        explicit quantization: the model's Q/DQ scales, not a calibrator");
    }
    TrtexecLog.FailingNode n = log.failingNode();
    if (n != null) {
      out.add("Failing node #" + n.index() + ": " + orDash(n.op())
          + (n.name() != null ? " named '" + n.name() + "'" : "")
          + (n.output() != null ? " -> '" + n.output() + "'" : ""));
      if (log.failingNodes().size() > 1) {
        out.add("            and " + (log.failingNodes().size() - 1) + " more node(s): "
            + String.join(", ", log.failingNodes().stream().skip(1).limit(10)
                .map(f -> "#" + f.index() + " " + orDash(f.op())).toList()));
      }
    }
    if (log.buildTimeSeconds() != null) {
      out.add(String.format(Locale.ROOT, "Build time  %.2f s", log.buildTimeSeconds()));
    }
    if (log.engineBytes() != null) {
      out.add(String.format(Locale.ROOT, "Engine      %.2f MiB (%d bytes, from %s)",
          log.engineBytes() / 1048576.0, log.engineBytes(), log.engineBytesSource().replace('_', ' ')));
    }
    if (log.throughputQps() != null) {
      out.add(String.format(Locale.ROOT, "Throughput  %s qps", trim(log.throughputQps())));
    }
    timing(out, "Latency    ", log.latencyMs());
    timing(out, "GPU compute", log.gpuComputeMs());
    if (log.comparison() != null && log.comparison().passed() != null) {
      TrtexecLog.Comparison c = log.comparison();
      out.add("Comparison  " + (c.passed() ? "passed" : "FAILED")
          + (c.passRatePercent() != null ? ", pass rate " + trim(c.passRatePercent()) + "%" : "")
          + (c.failedOutputs().isEmpty() ? "" : ", mismatched outputs: " + String.join(", ", c.failedOutputs())));
    }
    if (!log.errors().isEmpty()) {
      out.add("");
      out.add("Errors");
      log.errors().stream().limit(20).forEach(e -> out.add("  " + e));
      if (log.errors().size() > 20) {
        out.add("  ... " + (log.errors().size() - 20) + " more (see --json)");
      }
    }
    if (!log.warnings().isEmpty()) {
      out.add("");
      out.add("Warnings");
      log.warnings().stream().limit(20).forEach(w -> out.add("  [" + w.kind() + "] " + w.message()));
      if (log.warnings().size() > 20) {
        out.add("  ... " + (log.warnings().size() - 20) + " more (see --json)");
      }
    }
    if (!log.notes().isEmpty()) {
      out.add("");
      out.add("Notes");
      log.notes().forEach(note -> out.add("  " + note));
    }
    return out;
  }

  private static String verdict(TrtexecLog log) {
    String mode = log.mode() == null ? "" : " (" + log.mode().replace('_', ' ') + ")";
    return switch (log.outcome()) {
      case SUCCESS -> "SUCCESS" + mode;
      case PARSE_FAILURE -> "PARSE FAILURE: the ONNX parser rejected the model";
      case BUILD_FAILURE -> "BUILD FAILURE: the model parsed but no engine was built";
      case INFERENCE_FAILURE -> "INFERENCE FAILURE: the engine could not run";
      case ACCURACY_FAILURE -> "ACCURACY FAILURE: outputs differ beyond tolerance";
      case UNKNOWN -> "UNKNOWN: the log does not say how the run ended";
    };
  }

  private static void timing(List<String> out, String label, TrtexecLog.Timing t) {
    if (t == null) {
      return;
    }
    StringBuilder sb = new StringBuilder(label).append(" ms:");
    append(sb, "min", t.min());
    append(sb, "mean", t.mean());
    append(sb, "median", t.median());
    append(sb, "p90", t.p90());
    append(sb, "p95", t.p95());
    append(sb, "p99", t.p99());
    append(sb, "max", t.max());
    out.add(sb.toString());
  }

  private static void append(StringBuilder sb, String name, Double v) {
    if (v != null) {
      sb.append(' ').append(name).append(' ').append(trim(v));
    }
  }

  private static String trim(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.valueOf(v);
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }
}
