package dev.trtcompat.cli;

import dev.trtcompat.json.Json;
import dev.trtcompat.quantize.AccuracySummary;
import dev.trtcompat.quantize.OutputAccuracy;
import dev.trtcompat.quantize.QuantizeRequest;
import dev.trtcompat.quantize.QuantizeResult;
import dev.trtcompat.quantize.Quantizer;
import dev.trtcompat.quantize.RangeMethod;
import dev.trtcompat.quantize.SensitivityAnalysis;
import dev.trtcompat.quantize.SensitivityResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trt-compat quantize}: INT8 post-training quantization into a Q/DQ model for TensorRT's explicit-quantization
 * path, calibrated on ONNX Runtime, with its accuracy against FP32 measured on held-out samples.
 */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Quantize MODEL to INT8 with QuantizeLinear/DequantizeLinear pairs (TensorRT explicit quantization), calibrated"
          + " on ONNX Runtime (CPU), and measure its accuracy against FP32 on held-out samples.",
      "Progress goes to stderr. Exit codes: 0 written; 2 bad model, data or options (nothing written);"
          + " 3 the output cannot be written."
    })
final class QuantizeCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "the FP32 .onnx file")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "the Q/DQ model to write, e.g. model.int8.onnx")
  Path out;

  @Mixin CalibrationOptions calibration;

  @Option(names = "--method", defaultValue = "entropy",
      description = "activation ranges: minmax, percentile or entropy (TensorRT's KL method) (default: ${DEFAULT-VALUE})")
  String method;

  @Option(names = "--percentile", defaultValue = "" + RangeMethod.DEFAULT_PERCENTILE,
      description = "for --method percentile (default: ${DEFAULT-VALUE})")
  double percentile;

  @Option(names = "--exclude", paramLabel = "NODE_OR_OP", split = ",",
      description = "node names or operator types to keep in FP32 (repeatable or comma-separated)")
  List<String> exclude;

  @Option(names = "--boxes", paramLabel = "OUTPUT", description = "an output holding detection boxes (x1,y1,x2,y2): report IoU agreement")
  String boxes;

  @Option(names = "--eval-samples", defaultValue = "" + QuantizeRequest.DEFAULT_MAX_EVAL,
      description = "most held-out samples to measure accuracy on (default: ${DEFAULT-VALUE})")
  int evalSamples;

  @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: available processors)")
  Integer threads;

  @Option(names = "--sensitivity",
      description = "rank the layers by sensitivity (--sensitivity-mode), keep the fewest most sensitive in FP32 to"
          + " meet --target-error, and write that model")
  boolean sensitivity;

  @Option(names = "--sensitivity-mode", paramLabel = "MODE", defaultValue = "one-at-a-time",
      description = "with --sensitivity: one-at-a-time (each layer quantized alone, ranked by the error it causes) or"
          + " leave-one-out (the INT8 model with each layer kept in FP32 in turn, ranked by the error that removes)"
          + " (default: ${DEFAULT-VALUE})")
  String sensitivityMode;

  @Option(names = "--target-error", paramLabel = "E", defaultValue = "" + SensitivityAnalysis.DEFAULT_TARGET_ERROR,
      description = "with --sensitivity: the highest acceptable 1 - cosine similarity with FP32 (lowest over outputs"
          + " and held-out samples); 0.01 is cosine 0.99 (default: ${DEFAULT-VALUE})")
  double targetError;

  @Option(names = "--budget", paramLabel = "DURATION", defaultValue = "120s",
      description = "with --sensitivity: wall time for the whole analysis, calibration included (cut short: fewer"
          + " calibration samples, layers ranked or models tried, said in the result), e.g. 90s, 5m"
          + " (default: ${DEFAULT-VALUE})")
  String budget;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Override
  public Integer call() throws IOException {
    QuantizeRequest request =
        QuantizeRequest.of(model, calibration.open(), out)
            .withMethod(RangeMethod.parse(method), percentile)
            .withExclude(exclude)
            .withBoxesOutput(boxes)
            .withMaxEvalSamples(evalSamples);
    if (threads != null) {
      request = request.withThreads(threads);
    }
    PrintWriter w = spec.commandLine().getOut();
    if (sensitivity) {
      SensitivityAnalysis.Options options = new SensitivityAnalysis.Options(
          SensitivityAnalysis.Mode.parse(sensitivityMode), targetError, parseBudget(budget));
      SensitivityResult s = new SensitivityAnalysis().run(request, options, new ProgressLine(spec.commandLine().getErr()));
      if (json) {
        w.println(Json.pretty().writeValueAsString(s));
      } else {
        printSensitivity(w, s);
        print(w, s.model());
      }
      w.flush();
      return 0;
    }
    QuantizeResult r = new Quantizer().quantize(request, new ProgressLine(spec.commandLine().getErr()));
    if (json) {
      w.println(Json.pretty().writeValueAsString(r));
    } else {
      print(w, r);
    }
    w.flush();
    return 0;
  }

  /** Layers listed in the text output; --json has them all. */
  static final int LAYERS_SHOWN = 10;

  static void printSensitivity(PrintWriter w, SensitivityResult s) {
    boolean leaveOneOut = s.mode() == SensitivityAnalysis.Mode.LEAVE_ONE_OUT;
    w.printf(Locale.ROOT, "sensitivity  %s: %d of %d layer(s) ranked in %.1f s (budget %.0f s)%s%n",
        s.mode().wireName(), s.layersRanked(), s.layers(), s.seconds(), s.budgetSeconds(),
        s.complete() ? "" : ": " + s.stoppedBy());
    s.budgetCuts().forEach(c -> w.printf(Locale.ROOT, "budget cut   %s%n", c));
    w.printf(Locale.ROOT, "metric       %s, target %s; fully quantized %.4g%n", s.metric(), s.targetError(),
        s.baselineError());
    if (leaveOneOut) {
      w.printf(Locale.ROOT, "  %4s  %-13s  %-10s  %s%n", "rank", "error removed", "error", "layer kept in FP32 (op)");
    } else {
      w.printf(Locale.ROOT, "  %4s  %-10s  %s%n", "rank", "error", "layer quantized alone (op)");
    }
    for (int i = 0; i < Math.min(LAYERS_SHOWN, s.ranking().size()); i++) {
      SensitivityResult.LayerSensitivity l = s.ranking().get(i);
      String kept = s.keptFp32().contains(l.node()) ? "  kept FP32" : "";
      if (leaveOneOut) {
        w.printf(Locale.ROOT, "  %4d  %-13.4g  %-10.4g  %s (%s)%s%n", i + 1, l.errorRemoved(), l.error(), l.node(),
            l.op(), kept);
      } else {
        w.printf(Locale.ROOT, "  %4d  %-10.4g  %s (%s)%s%n", i + 1, l.error(), l.node(), l.op(), kept);
      }
    }
    if (s.ranking().size() > LAYERS_SHOWN) {
      w.printf(Locale.ROOT, "  ... %d more (use --json)%n", s.ranking().size() - LAYERS_SHOWN);
    }
    StringBuilder tried = new StringBuilder();
    s.candidates().forEach(c -> tried.append(String.format(Locale.ROOT, "%s%d in FP32: %.4g", tried.length() == 0
        ? "" : "; ", c.keptFp32(), c.error())));
    w.printf(Locale.ROOT, "tried        %s%n", tried);
    w.printf(Locale.ROOT, "chosen       %d layer(s) in FP32%s, error measured on the %s %.4g: target %s%n",
        s.keptFp32().size(), s.keptFp32().isEmpty() ? "" : " (" + String.join(", ", s.keptFp32()) + ")",
        s.remeasured() ? "written model" : "same graph while choosing", s.error(), s.targetMet() ? "met" : "NOT met");
  }

  static void print(PrintWriter w, QuantizeResult r) {
    w.printf(Locale.ROOT, "model        %s%n", r.model());
    w.printf(Locale.ROOT, "wrote        %s (sha256 %s)%n", r.output(), r.outputSha256());
    w.printf(Locale.ROOT, "method       %s%n", r.method());
    w.printf(Locale.ROOT, "calibration  %s, %d sample(s) used, sha256 %s%n", r.calibration(), r.calibrationSamples(),
        r.calibrationSha256());
    if (r.caveat() != null) {
      w.printf(Locale.ROOT, "caveat       %s%n", r.caveat());
    }
    w.printf(Locale.ROOT, "quantized    %d activation tensor(s) per tensor, %d weight(s) per channel, opset %d%n",
        r.activationsQuantized(), r.weightsQuantized(), r.opset());
    if (!r.excludedNodes().isEmpty()) {
      w.printf(Locale.ROOT, "kept FP32    %s%n", String.join(", ", r.excludedNodes()));
    }
    printAccuracy(w, r.accuracy());
    CheckCommand.printExplicitQuantization(w, r.explicitQuantization());
    r.notes().forEach(n -> w.println("note         " + n));
  }

  static Duration parseBudget(String text) {
    return SensitivityAnalysis.Options.parseBudget(text);
  }

  static void printAccuracy(PrintWriter w, AccuracySummary a) {
    w.printf(Locale.ROOT, "accuracy     vs FP32 on %s, %s%n", a.runtime(), a.data());
    for (OutputAccuracy o : a.outputs()) {
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "  %-10s", o.name()));
      if (o.maxAbsError() != null) {
        sb.append(String.format(Locale.ROOT, " max abs %.4g  max rel %.4g  cosine min %.6f mean %.6f",
            o.maxAbsError(), o.maxRelError(), o.cosineMin(), o.cosineMean()));
      }
      if (o.shapeMismatches() > 0) {
        sb.append(String.format(Locale.ROOT, "  %d sample(s) with another element count", o.shapeMismatches()));
      }
      if (o.top1Agreement() != null) {
        sb.append(String.format(Locale.ROOT, "  top-1 %.1f%%  top-5 %.1f%%", o.top1Agreement() * 100, o.top5Agreement() * 100));
      }
      if (o.meanIou() != null) {
        sb.append(String.format(Locale.ROOT, "  mean IoU %.4f  IoU>=0.5 %.1f%%", o.meanIou(), o.iouAtLeastHalf() * 100));
      }
      w.println(sb);
    }
  }
}
