package dev.trtcompat.trtexec;

import dev.trtcompat.trtexec.TrtexecLog.FailingNode;
import dev.trtcompat.trtexec.TrtexecLog.Gpu;
import dev.trtcompat.trtexec.TrtexecLog.LogWarning;
import dev.trtcompat.trtexec.TrtexecLog.Outcome;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The streaming state machine behind {@link TrtexecLog#parse}: one {@link #accept} per line, state small and
 * capped (errors, warnings and failing nodes are limited in number), so a verbose log of any length parses
 * in constant memory.
 */
final class TrtexecLogParser {

  static final int MAX_ERRORS = 100;
  static final int MAX_WARNINGS = 200;
  static final int MAX_FAILING_NODES = 50;
  private static final int MAX_TEXT = 2000;

  private static final String NUM = "([-+]?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)";

  private static final Pattern BANNER =
      Pattern.compile("^&&&& (RUNNING|PASSED|FAILED|WAIVED) TensorRT\\.(\\S+?)(?: \\[TensorRT v(\\d+)\\])?(?: \\[b\\d+\\])?(?: # (.*))?$");
  private static final Pattern TRT_VERSION = Pattern.compile("^TensorRT version: (\\d+(?:\\.\\d+)*)\\s*$");
  private static final Pattern POLY_TRT_MODULE = Pattern.compile("Loaded Module: tensorrt \\| Version: (\\S+)");
  private static final Pattern PATH_VERSION = Pattern.compile("TensorRT-(\\d+\\.\\d+(?:\\.\\d+){0,2})[/\\\\]");
  private static final Pattern WHILE_PARSING =
      Pattern.compile("While parsing node number (\\d+)(?: \\[(\\S+?)(?: -> \"(.*)\")?\\])?(?: \\(index out of bounds.*\\))?:?\\s*$");
  private static final Pattern IN_NODE_NAMED =
      Pattern.compile("In node (-?\\d+) with name: (.*?) and operator: (\\S*) \\((\\w*)\\): (\\w+): (.*)$");
  private static final Pattern IN_NODE = Pattern.compile("In node (-?\\d+) \\((\\w*)\\): (\\w+): (.*)$");
  private static final Pattern IN_FUNCTION = Pattern.compile("^ERROR: (\\S+?):(\\d+) In function (\\S+?):\\s*$");
  private static final Pattern CODE_LINE = Pattern.compile("^\\[(\\d+)\\] (.+)$");
  private static final Pattern PROTO_FIELD = Pattern.compile("^[a-z_][a-z0-9_]*(?:: .*| \\{)$");
  private static final Pattern DUMP_STRING = Pattern.compile("^(name|op_type|output|domain): \"(.*)\"$");
  private static final Pattern ENGINE_BUILT = Pattern.compile("^Engine built in " + NUM + " sec");
  private static final Pattern POLY_ENGINE_BUILT = Pattern.compile("^Finished engine building in " + NUM + " seconds");
  private static final Pattern CREATED_ENGINE = Pattern.compile("^Created engine with size: " + NUM + " MiB");
  private static final Pattern LOADED_ENGINE = Pattern.compile("^Loaded engine size: " + NUM + " (MiB|MB)\\s*$");
  private static final Pattern THROUGHPUT = Pattern.compile("^[Tt]hroughput: " + NUM + " qps\\s*$");
  private static final Pattern SUMMARY_TIMING =
      Pattern.compile("^(Latency|End-to-End Host Latency|Enqueue Time|H2D Latency|GPU Compute Time|D2H Latency): (min = .*)$");
  private static final Pattern SUMMARY_PAIR =
      Pattern.compile("(min|max|mean|median|percentile\\(" + NUM + "%\\)) = " + NUM + " ms");
  private static final Pattern OLD_BLOCK = Pattern.compile("^(Host Latency|Enqueue Time|GPU Compute|H2D Latency|D2H Latency)\\s*$");
  private static final Pattern OLD_STAT =
      Pattern.compile("^(min|max|mean|median): " + NUM + " ms(?: \\(end to end " + NUM + " ms\\))?\\s*$");
  private static final Pattern OLD_PERCENTILE =
      Pattern.compile("^percentile: " + NUM + " ms at " + NUM + "%(?: \\(end to end " + NUM + " ms at " + NUM + "%\\))?\\s*$");
  private static final Pattern WALLTIME = Pattern.compile("^(?:walltime|Total Host Walltime): " + NUM + " s\\s*$");
  private static final Pattern GPU_TOTAL = Pattern.compile("^(?:total compute time|Total GPU Compute Time): " + NUM + " s\\s*$");
  private static final Pattern SELECTED_DEVICE = Pattern.compile("^Selected Device: (.+)$");
  private static final Pattern COMPUTE_CAPABILITY = Pattern.compile("^Compute Capability: (\\d+\\.\\d+)\\s*$");
  private static final Pattern PRECISION = Pattern.compile("^Precision: (\\S.*)$");
  private static final Pattern CALIBRATION = Pattern.compile("^Calibration: (\\S.*)$");
  private static final Pattern LOAD_ENGINE_OPTION = Pattern.compile("^Load engine: (\\S.*)$");
  private static final Pattern PARSE_FAILED =
      Pattern.compile("Failed to parse onnx file|Parsing model failed|Could not parse ONNX|Failed to parse ONNX|"
          + "Failed parsing \\.onnx file|Failed to parse caffe|Failed to parse UFF|Failed to parse the model");
  private static final Pattern BUILD_FAILED =
      Pattern.compile("Engine creation failed|Engine could not be created|Network validation failed|"
          + "no optimization profile has been defined|Failed to create engine|Unable to create engine|"
          + "Could not find any implementation for node|Builder failed|Invalid Engine|Failed to build|"
          + "Engine deserialization failed|Failed to deserialize");
  /**
   * TensorRT's builder warning when a calibrator meets a network with Q/DQ layers. trtexec --int8 without --calib
   * attaches its random calibrator only to such networks (samples/common/sampleEngines.cpp, 8.0.1 to 10.16), so the
   * line shows that TensorRT took the explicit-quantization path. Worded "explicit precision mode" in the 8.2.5
   * fixtures; the prefix also covers the "explicit quantization mode" wording quoted for TensorRT 10.
   */
  static final Pattern EXPLICIT_QUANTIZATION = Pattern.compile("Calibrator won't be used in explicit \\w+ mode");
  private static final Pattern INFERENCE_FAILED =
      Pattern.compile("Inference set up failed|Error occurred during inference|Inference failed|Failed to enqueue|"
          + "Error in execution|Failed to execute");

  private enum Phase { START, PARSING, BUILDING, INFERENCE }

  private final PolygraphyReport polygraphy = new PolygraphyReport();
  private long lines;
  private String tool;
  private boolean polygraphySeen;
  private String versionFromBanner;
  private String versionFromLine;
  private String versionFromModule;
  private String versionFromPath;
  private String bannerResult;
  private String command;
  private final List<FailingNode> failingNodes = new ArrayList<>();
  private final Set<String> errors = new LinkedHashSet<>();
  private long errorsDropped;
  private final Set<LogWarning> warnings = new LinkedHashSet<>();
  private long warningsDropped;
  private boolean lastWasWarning;
  private LogWarning lastWarning;
  private boolean parseFailed;
  private boolean buildFailed;
  private boolean inferenceFailed;
  private boolean pendingParserError;
  private Phase phase = Phase.START;
  private Phase firstErrorPhase;
  private Double buildTimeSeconds;
  private Long createdEngineBytes;
  private Long loadedEngineBytes;
  private boolean loadedEngineInMb;
  private Double throughput;
  private final TimingBuilder latency = new TimingBuilder();
  private final TimingBuilder gpuCompute = new TimingBuilder();
  private final TimingBuilder h2d = new TimingBuilder();
  private final TimingBuilder d2h = new TimingBuilder();
  private final TimingBuilder enqueue = new TimingBuilder();
  private final TimingBuilder endToEnd = new TimingBuilder();
  private TimingBuilder oldBlock;
  private Double walltime;
  private Double gpuTotal;
  private String gpuName;
  private String computeCapability;
  private String precision;
  private String calibration;
  private boolean skippedInference;
  private boolean loadEngine;
  private boolean trtexecMarkers;
  private boolean tensorrtMarkers;
  private String explicitQuantizationLine;

  // Node dump state: between "--- Begin node ---" and "--- End node ---" (or the next decorated line).
  private boolean inDump;
  private boolean expectDump;
  private int dumpDepth;
  private boolean dumpOutputSeen;

  void accept(String raw) {
    lines++;
    if (inDump && acceptDumpLine(raw)) {
      return;
    }
    LogLine line = LogLine.of(raw);
    String msg = line.message();
    if (line.fromTensorRt()) {
      tensorrtMarkers = true;
    }
    if (msg.isEmpty()) {
      lastWasWarning = false;
      return;
    }
    if (msg.startsWith("&&&& ")) {
      acceptBanner(msg);
      return;
    }
    if (msg.contains("--- Begin node ---")) {
      inDump = expectDump;
      dumpDepth = 0;
      dumpOutputSeen = false;
      String rest = msg.substring(msg.indexOf("--- Begin node ---") + "--- Begin node ---".length()).strip();
      if (!rest.isEmpty()) {
        acceptDumpContent(rest);
      }
      return;
    }
    if (msg.contains("--- End node ---")) {
      inDump = false;
      expectDump = false;
      return;
    }
    if (msg.contains("node ") && acceptFailingNode(msg)) {
      return;
    }
    if (line.severity() == 'V' && !msg.startsWith("Loaded Module:")) {
      // Verbose lines (tactics, layers, plugin registry) carry none of the facts; skipping them keeps
      // --verbose logs cheap. They still end a node dump and a pre-8.0 block.
      oldBlock = null;
      lastWasWarning = false;
      return;
    }
    if (explicitQuantizationLine == null && EXPLICIT_QUANTIZATION.matcher(msg).find()) {
      explicitQuantizationLine = truncate(msg);
    }
    if (polygraphy.accept(msg) || line.severity() == '!') {
      polygraphySeen = true;
    }
    acceptFacts(msg);
    acceptSeverity(line, msg);
  }

  private void acceptBanner(String msg) {
    Matcher m = BANNER.matcher(msg);
    if (!m.matches()) {
      return;
    }
    tool = "trtexec".equals(m.group(2)) ? "trtexec" : m.group(2);
    trtexecMarkers = true;
    if (m.group(3) != null) {
      versionFromBanner = decodeVersion(m.group(3));
    }
    if (m.group(4) != null && command == null) {
      command = truncate(m.group(4));
      Matcher p = PATH_VERSION.matcher(m.group(4));
      if (p.find()) {
        versionFromPath = p.group(1);
      }
      if (m.group(4).contains("--loadEngine")) {
        loadEngine = true;
      }
    }
    if (!"RUNNING".equals(m.group(1))) {
      // The first verdict counts: teardown lines after "&&&& PASSED" change nothing.
      if (bannerResult == null) {
        bannerResult = m.group(1);
      }
    }
  }

  /** Returns true when the line named the failing node (and so needs no other handling). */
  private boolean acceptFailingNode(String msg) {
    Matcher m = WHILE_PARSING.matcher(msg);
    if (m.find()) {
      parserFailureSeen();
      addFailingNode(new FailingNode(Integer.parseInt(m.group(1)), m.group(2), null, m.group(3)));
      expectDump = true;
      return true;
    }
    m = IN_NODE_NAMED.matcher(msg);
    if (m.find()) {
      parserFailureSeen();
      int index = Integer.parseInt(m.group(1));
      if (index >= 0) {
        addFailingNode(new FailingNode(index, emptyToNull(m.group(3)), emptyToNull(m.group(2)), null));
      }
      addError(m.group(6));
      return true;
    }
    m = IN_NODE.matcher(msg);
    if (m.find()) {
      parserFailureSeen();
      int index = Integer.parseInt(m.group(1));
      if (index >= 0) {
        addFailingNode(new FailingNode(index, null, null, null));
      }
      addError(m.group(4));
      return true;
    }
    return false;
  }

  /** Merges what different lines say about the same node number; a new number is a new node. */
  private void addFailingNode(FailingNode n) {
    for (int i = 0; i < failingNodes.size(); i++) {
      FailingNode old = failingNodes.get(i);
      if (old.index() == n.index()) {
        failingNodes.set(
            i,
            new FailingNode(
                old.index(),
                old.op() != null ? old.op() : n.op(),
                old.name() != null ? old.name() : n.name(),
                old.output() != null ? old.output() : n.output()));
        return;
      }
    }
    if (failingNodes.size() < MAX_FAILING_NODES) {
      failingNodes.add(n);
    }
  }

  /** Returns false when the line is not node-dump text, which ends the dump. */
  private boolean acceptDumpLine(String raw) {
    String s = raw.strip();
    if (s.isEmpty()) {
      return true;
    }
    if (s.contains("--- End node ---")) {
      inDump = false;
      expectDump = false;
      return true;
    }
    LogLine line = LogLine.of(raw);
    String content = line.message();
    if (content.equals("}") || PROTO_FIELD.matcher(content).matches()) {
      acceptDumpContent(content);
      return true;
    }
    inDump = false;
    expectDump = false;
    return false;
  }

  private void acceptDumpContent(String content) {
    if (content.equals("}")) {
      dumpDepth = Math.max(0, dumpDepth - 1);
      return;
    }
    if (content.endsWith(" {")) {
      dumpDepth++;
      return;
    }
    if (dumpDepth != 0 || failingNodes.isEmpty()) {
      return;
    }
    Matcher m = DUMP_STRING.matcher(content);
    if (!m.matches()) {
      return;
    }
    FailingNode last = failingNodes.get(failingNodes.size() - 1);
    String value = unescape(m.group(2));
    switch (m.group(1)) {
      case "name" -> failingNodes.set(failingNodes.size() - 1,
          new FailingNode(last.index(), last.op(), value.isEmpty() ? last.name() : value, last.output()));
      case "op_type" -> failingNodes.set(failingNodes.size() - 1,
          new FailingNode(last.index(), last.op() == null ? value : last.op(), last.name(), last.output()));
      case "output" -> {
        if (!dumpOutputSeen) {
          dumpOutputSeen = true;
          failingNodes.set(failingNodes.size() - 1,
              new FailingNode(last.index(), last.op(), last.name(), last.output() == null ? value : last.output()));
        }
      }
      default -> { }
    }
  }

  private void acceptFacts(String msg) {
    Matcher m;
    if ((m = TRT_VERSION.matcher(msg)).matches()) {
      versionFromLine = msg.substring(msg.indexOf(':') + 1).strip().contains(".")
          ? m.group(1) : decodeVersion(m.group(1));
      trtexecMarkers = true;
    } else if ((m = POLY_TRT_MODULE.matcher(msg)).find()) {
      versionFromModule = m.group(1);
    } else if (msg.startsWith("Start parsing network model") || msg.startsWith("Input filename:")) {
      tensorrtMarkers = true;
      if (phase == Phase.START) {
        phase = Phase.PARSING;
      }
    } else if (msg.startsWith("Finish parsing network model") || msg.startsWith("Finished parsing network model")) {
      phase = Phase.BUILDING;
    } else if ((m = ENGINE_BUILT.matcher(msg)).find()) {
      buildTimeSeconds = Double.parseDouble(m.group(1));
      trtexecMarkers = true;
      phase = Phase.INFERENCE;
    } else if ((m = POLY_ENGINE_BUILT.matcher(msg)).find()) {
      buildTimeSeconds = Double.parseDouble(m.group(1));
      phase = Phase.INFERENCE;
    } else if ((m = CREATED_ENGINE.matcher(msg)).find()) {
      createdEngineBytes = Math.round(Double.parseDouble(m.group(1)) * 1024 * 1024);
    } else if ((m = LOADED_ENGINE.matcher(msg)).find()) {
      if (loadedEngineBytes == null) {
        boolean mb = m.group(2).equals("MB");
        loadedEngineInMb = mb;
        loadedEngineBytes = Math.round(Double.parseDouble(m.group(1)) * (mb ? 1_000_000L : 1024L * 1024L));
      }
      if (phase.ordinal() < Phase.INFERENCE.ordinal()) {
        phase = Phase.INFERENCE;
      }
    } else if (msg.startsWith("Starting inference") || msg.startsWith("Engine deserialized in")) {
      phase = Phase.INFERENCE;
    } else if (msg.startsWith("Skipped inference phase")) {
      skippedInference = true;
    } else if (msg.equals("Skip inference: Enabled") || msg.equals("Build only: Enabled")) {
      skippedInference = true;
    } else if ((m = THROUGHPUT.matcher(msg)).matches()) {
      throughput = Double.parseDouble(m.group(1));
      trtexecMarkers = true;
      oldBlock = null;
      return;
    } else if ((m = SUMMARY_TIMING.matcher(msg)).matches()) {
      acceptSummaryTiming(m.group(1), m.group(2));
      trtexecMarkers = true;
    } else if ((m = OLD_BLOCK.matcher(msg)).matches()) {
      oldBlock = switch (m.group(1)) {
        case "Host Latency" -> latency;
        case "Enqueue Time" -> enqueue;
        case "GPU Compute" -> gpuCompute;
        case "H2D Latency" -> h2d;
        default -> d2h;
      };
      trtexecMarkers = true;
      return;
    } else if (oldBlock != null && (m = OLD_STAT.matcher(msg)).matches()) {
      double v = Double.parseDouble(m.group(2));
      oldBlock.set(m.group(1), v);
      if (m.group(3) != null && oldBlock == latency) {
        endToEnd.set(m.group(1), Double.parseDouble(m.group(3)));
      }
      return;
    } else if (oldBlock != null && (m = OLD_PERCENTILE.matcher(msg)).matches()) {
      oldBlock.setPercentile(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(1)));
      if (m.group(3) != null && oldBlock == latency) {
        endToEnd.setPercentile(Double.parseDouble(m.group(4)), Double.parseDouble(m.group(3)));
      }
      return;
    } else if ((m = WALLTIME.matcher(msg)).matches()) {
      walltime = Double.parseDouble(m.group(1));
      return;
    } else if ((m = GPU_TOTAL.matcher(msg)).matches()) {
      gpuTotal = Double.parseDouble(m.group(1));
      oldBlock = null;
      return;
    } else if ((m = SELECTED_DEVICE.matcher(msg)).matches()) {
      gpuName = m.group(1).strip();
    } else if ((m = COMPUTE_CAPABILITY.matcher(msg)).matches()) {
      computeCapability = m.group(1);
    } else if (precision == null && (m = PRECISION.matcher(msg)).matches()) {
      precision = m.group(1).strip();
    } else if (calibration == null && (m = CALIBRATION.matcher(msg)).matches()) {
      calibration = m.group(1).strip();
    } else if ((m = LOAD_ENGINE_OPTION.matcher(msg)).matches()) {
      loadEngine = true;
    } else if (msg.startsWith("=== ") && msg.endsWith(" ===")) {
      trtexecMarkers = true;
    }
    // Any other line ends a pre-8.0 statistics block.
    oldBlock = null;
  }

  private void acceptSummaryTiming(String name, String pairs) {
    TimingBuilder t = switch (name) {
      case "Latency" -> latency;
      case "End-to-End Host Latency" -> endToEnd;
      case "Enqueue Time" -> enqueue;
      case "H2D Latency" -> h2d;
      case "GPU Compute Time" -> gpuCompute;
      default -> d2h;
    };
    Matcher p = SUMMARY_PAIR.matcher(pairs);
    while (p.find()) {
      double value = Double.parseDouble(p.group(3));
      if (p.group(2) != null) {
        t.setPercentile(Double.parseDouble(p.group(2)), value);
      } else {
        t.set(p.group(1), value);
      }
    }
  }

  private void acceptSeverity(LogLine line, String msg) {
    Matcher m;
    if ((m = IN_FUNCTION.matcher(msg)).matches()) {
      // "ERROR: builtin_op_importers.cpp:695 In function importX:" heads the parser's error; the text follows.
      tensorrtMarkers = true;
      parseFailed = true;
      pendingParserError = true;
      noteFirstError();
      lastWasWarning = false;
      return;
    }
    if ((m = CODE_LINE.matcher(msg)).matches() && (pendingParserError || msg.contains("Assertion failed"))) {
      pendingParserError = false;
      parseFailed = true;
      noteFirstError();
      addError(m.group(2));
      lastWasWarning = false;
      return;
    }
    pendingParserError = false;
    char sev = line.severity();
    if (msg.startsWith("ERROR: ")) {
      sev = 'E';
      msg = msg.substring("ERROR: ".length());
    }
    if (msg.contains("Assertion failed")) {
      sev = 'E';
    }
    if (sev == 'W' || (sev == 'I' && WarningKind.classify(msg) == WarningKind.PLUGIN_FALLBACK)) {
      if (line.indented() && lastWasWarning && lastWarning != null && sev == 'W') {
        // trtexec prints advice for the previous warning on an indented line of its own.
        warnings.remove(lastWarning);
        lastWarning = new LogWarning(lastWarning.kind(), truncate(lastWarning.message() + " " + msg));
        warnings.add(lastWarning);
      } else {
        addWarning(msg);
      }
      lastWasWarning = sev == 'W';
      return;
    }
    lastWasWarning = false;
    if (sev == 'E' || sev == 'F' || sev == '!') {
      noteFirstError();
      addError(msg);
      if (PARSE_FAILED.matcher(msg).find()) {
        parseFailed = true;
      } else if (BUILD_FAILED.matcher(msg).find()) {
        buildFailed = true;
      } else if (INFERENCE_FAILED.matcher(msg).find()) {
        inferenceFailed = true;
      }
    }
  }

  /** A line that only TensorRT's ONNX parser prints on failure: the log is TensorRT's and parsing failed. */
  private void parserFailureSeen() {
    tensorrtMarkers = true;
    parseFailed = true;
    noteFirstError();
  }

  private void noteFirstError() {
    if (firstErrorPhase == null) {
      firstErrorPhase = phase;
    }
  }

  private void addError(String msg) {
    String text = truncate(msg.strip());
    if (text.isEmpty() || errors.contains(text)) {
      return;
    }
    if (errors.size() < MAX_ERRORS) {
      errors.add(text);
    } else {
      errorsDropped++;
    }
  }

  private void addWarning(String msg) {
    String text = truncate(msg.strip());
    LogWarning w = new LogWarning(WarningKind.classify(text).wire(), text);
    lastWarning = w;
    if (warnings.contains(w)) {
      return;
    }
    if (warnings.size() < MAX_WARNINGS) {
      warnings.add(w);
    } else {
      warningsDropped++;
      lastWarning = null;
    }
  }

  TrtexecLog finish(long truncatedLines) {
    List<String> notes = new ArrayList<>();
    String toolName = tool;
    if (polygraphySeen && (tool == null || !trtexecMarkersFromBanner())) {
      toolName = "polygraphy";
    }
    if (toolName == null) {
      toolName = trtexecMarkers ? "trtexec" : (tensorrtMarkers || !failingNodes.isEmpty() || parseFailed) ? "tensorrt" : "unknown";
    }
    boolean polygraphyTool = "polygraphy".equals(toolName);
    boolean hasPerf = throughput != null || !latency.isEmpty() || !gpuCompute.isEmpty();

    Outcome outcome = decideOutcome(polygraphyTool, hasPerf);

    String version = firstNonNull(versionFromLine, versionFromBanner, versionFromModule, versionFromPath);

    Long engineBytes = createdEngineBytes;
    String engineSource = createdEngineBytes != null ? "created_engine_line" : null;
    if (engineBytes == null && loadedEngineBytes != null && !polygraphyTool) {
      engineBytes = loadedEngineBytes;
      engineSource = "loaded_engine_line";
      notes.add("Engine size comes from 'Loaded engine size', which TensorRT rounds to whole "
          + (loadedEngineInMb ? "MB" : "MiB") + "; pass the engine file for the exact size.");
    }

    String mode = null;
    if (!polygraphyTool) {
      if (skippedInference) {
        mode = "build_only";
      } else if (loadEngine && buildTimeSeconds == null) {
        mode = "inference_only";
      } else if (buildTimeSeconds != null || hasPerf) {
        mode = "build_and_inference";
      }
    }

    if ("trtexec".equals(toolName) && bannerResult == null && lines > 0) {
      notes.add("The log has no final '&&&& PASSED' or '&&&& FAILED' line; it may be cut short.");
    }
    if (throughput != null && throughput == 0.0 && latency.mean != null && latency.mean > 0) {
      notes.add("trtexec printed 'throughput: 0 qps' although latencies were measured; this is a known "
          + "reporting quirk of 7.x (NVIDIA/TensorRT#1162), not a failure. Use 1000 / mean latency instead.");
    }
    if (polygraphyTool && outcome == Outcome.SUCCESS && polygraphy.comparison().passed() == null) {
      notes.add("Polygraphy reported success without an accuracy comparison.");
    }
    if (truncatedLines > 0) {
      notes.add(truncatedLines + " line(s) longer than " + BoundedLineReader.DEFAULT_MAX_LINE_CHARS
          + " characters were cut; the input may not be a text log.");
    }
    if (errorsDropped > 0) {
      notes.add(errorsDropped + " further distinct error line(s) not listed.");
    }
    if (warningsDropped > 0) {
      notes.add(warningsDropped + " further distinct warning(s) not listed.");
    }

    Gpu gpu = gpuName == null && computeCapability == null ? null : new Gpu(gpuName, computeCapability);
    return new TrtexecLog(
        version,
        outcome,
        failingNodes.isEmpty() ? null : failingNodes.get(0),
        List.copyOf(errors),
        List.copyOf(warnings),
        buildTimeSeconds,
        engineBytes,
        throughput,
        latency.build(),
        gpuCompute.build(),
        toolName,
        mode,
        gpu,
        h2d.build(),
        d2h.build(),
        enqueue.build(),
        endToEnd.build(),
        walltime,
        gpuTotal,
        precision,
        calibration,
        command != null ? command : polygraphy.command(),
        engineSource,
        List.copyOf(failingNodes),
        polygraphySeen ? polygraphy.comparison() : null,
        explicitQuantizationLine,
        List.copyOf(notes),
        lines);
  }

  private boolean trtexecMarkersFromBanner() {
    return bannerResult != null || versionFromBanner != null || command != null;
  }

  private Outcome decideOutcome(boolean polygraphyTool, boolean hasPerf) {
    if (polygraphyTool) {
      if (polygraphy.comparisonFailed()) {
        return Outcome.ACCURACY_FAILURE;
      }
      if (Boolean.TRUE.equals(polygraphy.finalPassed())) {
        return Outcome.SUCCESS;
      }
    } else if ("PASSED".equals(bannerResult)) {
      return Outcome.SUCCESS;
    }
    if (parseFailed || !failingNodes.isEmpty()) {
      return Outcome.PARSE_FAILURE;
    }
    if (buildFailed) {
      return Outcome.BUILD_FAILURE;
    }
    if (inferenceFailed) {
      return Outcome.INFERENCE_FAILURE;
    }
    boolean failedVerdict = "FAILED".equals(bannerResult)
        || (polygraphyTool && Boolean.FALSE.equals(polygraphy.finalPassed()));
    if (failedVerdict && firstErrorPhase != null) {
      return switch (firstErrorPhase) {
        case PARSING -> Outcome.PARSE_FAILURE;
        case BUILDING -> Outcome.BUILD_FAILURE;
        case INFERENCE -> Outcome.INFERENCE_FAILURE;
        case START -> Outcome.UNKNOWN;
      };
    }
    if (failedVerdict) {
      return Outcome.UNKNOWN;
    }
    if (polygraphyTool) {
      return Boolean.TRUE.equals(polygraphy.comparison().passed()) ? Outcome.SUCCESS : Outcome.UNKNOWN;
    }
    if (firstErrorPhase == null && (hasPerf || skippedInference)) {
      // Excerpts without the final banner: a complete performance summary means the run got through.
      return Outcome.SUCCESS;
    }
    return Outcome.UNKNOWN;
  }

  /** 8502 is 8.5.2 and 101601 is 10.16.1: one digit each for major and minor before 10, two after. */
  static String decodeVersion(String digits) {
    try {
      int n = Integer.parseInt(digits);
      if (digits.length() >= 6) {
        return (n / 10000) + "." + (n / 100 % 100) + "." + (n % 100);
      }
      if (digits.length() == 4) {
        return (n / 1000) + "." + (n / 100 % 10) + "." + (n % 100);
      }
    } catch (NumberFormatException ignored) {
      // fall through: keep the digits as printed
    }
    return digits;
  }

  private static String unescape(String protoString) {
    return protoString.replace("\\\"", "\"").replace("\\\\", "\\");
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String truncate(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  /** Collects one latency distribution from either summary format. */
  static final class TimingBuilder {
    Double min;
    Double mean;
    Double median;
    Double p90;
    Double p95;
    Double p99;
    Double max;

    void set(String key, double v) {
      switch (key.toLowerCase(Locale.ROOT)) {
        case "min" -> min = v;
        case "max" -> max = v;
        case "mean" -> mean = v;
        case "median" -> median = v;
        default -> { }
      }
    }

    void setPercentile(double percent, double v) {
      if (percent == 90.0) {
        p90 = v;
      } else if (percent == 95.0) {
        p95 = v;
      } else if (percent == 99.0) {
        p99 = v;
      } else if (percent == 50.0 && median == null) {
        median = v;
      }
    }

    boolean isEmpty() {
      return min == null && mean == null && median == null && p90 == null && p95 == null && p99 == null && max == null;
    }

    TrtexecLog.Timing build() {
      return isEmpty() ? null : new TrtexecLog.Timing(min, mean, median, p90, p95, p99, max);
    }
  }
}
