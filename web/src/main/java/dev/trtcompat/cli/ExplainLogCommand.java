package dev.trtcompat.cli;

import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.trtexec.LogExplainer;
import dev.trtcompat.trtexec.ModelNodeMatch;
import dev.trtcompat.trtexec.NodeFindings;
import dev.trtcompat.trtexec.TrtexecLog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trt-compat explain-log LOG [--model MODEL] [--engine PLAN] [--json]}: what a trtexec or Polygraphy
 * log says, and which node of the model the parser stopped at.
 *
 * <p>Exit codes: 0 the log shows success; 1 it shows a failure (parse, build, inference, accuracy) or does
 * not show how the run ended; 2 the log or model cannot be read, or is not a trtexec/Polygraphy log.
 */
@Command(
    name = "explain-log",
    mixinStandardHelpOptions = true,
    description = "Explain a trtexec / Polygraphy console log: outcome, failing node, errors, warnings, timings.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {
      "0:the log shows success",
      "1:the log shows a failure, or does not show how the run ended",
      "2:the log or model cannot be read, or is not a trtexec/Polygraphy log"
    })
final class ExplainLogCommand implements Callable<Integer> {

  @Parameters(paramLabel = "LOG", description = "The log file, or - for standard input.")
  String log;

  @Option(names = "--model", paramLabel = "MODEL", description = "The .onnx file the log came from: maps the failing node number to the model's node.")
  Path model;

  @Option(names = "--engine", paramLabel = "PLAN", description = "The engine trtexec saved: gives the exact engine size.")
  Path engine;

  @Option(names = "--trt", paramLabel = "MAJOR.MINOR", description = "The TensorRT release that produced the log, when the log does not print it (used for the static finding of the failing node).")
  String trt;

  @Option(names = "--json", description = "Print JSON (the same document as POST /api/v1/logs/explain).")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;


  @Override
  public Integer call() throws Exception {
    TrtexecLog parsed;
    if ("-".equals(log)) {
      parsed = LogExplainer.explain(System.in);
      if (engine != null) {
        parsed = parsed.withEngineBytes(java.nio.file.Files.size(engine), "engine_file");
      }
    } else {
      parsed = engine == null ? LogExplainer.explain(Path.of(log)) : LogExplainer.explain(Path.of(log), engine);
    }
    ModelNodeMatch match = null;
    if (model != null && parsed.failingNode() != null) {
      match = ModelNodeMatch.of(parsed.failingNode(), OnnxModelReader.read(model), trt != null ? trt : parsed.tensorrtVersion());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.pretty().writeValueAsString(LogExplainer.toJsonTree(parsed, match)));
    } else {
      LogExplainer.describe(parsed).forEach(out::println);
      if (model != null) {
        out.println();
        out.println("Model       " + (match != null ? match.summary() : "the log names no failing node; nothing to map."));
        if (match != null && match.staticCheck() != null) {
          NodeFindings sc = match.staticCheck();
          out.println("Static      " + sc.note() + (sc.checkedRelease() != null && sc.findings().isEmpty()
              ? ": no finding for this node (the failure is not one the knowledge base predicts)" : ""));
          for (var f : sc.findings()) {
            out.println("  " + f.severity().toString().toLowerCase(java.util.Locale.ROOT) + " [" + f.rule() + "] " + f.message());
            if (f.fix() != null) {
              out.println("    fix: " + f.fix());
            }
          }
        }
      }
    }
    out.flush();
    return parsed.outcome() == TrtexecLog.Outcome.SUCCESS ? 0 : 1;
  }
}
