package dev.trtcompat.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.cost.CostEstimator;
import dev.trtcompat.cost.ModelCost;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceResult;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trt-compat compare A.onnx B.onnx ...}: the static side of "which one should I ship?" side by side:
 * verdicts per TensorRT release, node counts, parameters and FLOPs estimated from shapes, and with {@code
 * --reference} each model's ONNX Runtime CPU latency. Measured TensorRT figures come from the service's compare
 * page, which needs containers.
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compare ONNX models side by side: TensorRT verdicts per release, nodes, parameters, FLOPs from shapes,",
      "and with --reference the ONNX Runtime CPU latency. No GPU needed.",
      "Exit codes: 0 compared; 2 an unreadable model, unknown release, fewer than 2 or more than 20 models."
    },
    footer = {"", "FLOPs: " + ModelCost.NOT_COUNTED + "."})
final class CompareCommand implements Callable<Integer> {

  static final int MIN_MODELS = 2;
  static final int MAX_MODELS = 20;

  @Parameters(paramLabel = "MODEL", arity = "1..*", description = "Two to twenty .onnx files.")
  List<Path> models = new ArrayList<>();

  @Option(names = "--trt", paramLabel = "VERSION", split = ",",
      description = "TensorRT release(s) to show, e.g. --trt 8.6 --trt 10.0 (default: every release known).")
  List<String> releases = new ArrayList<>();

  @Option(names = "--shapes", paramLabel = "SPEC",
      description = "input shapes for FLOPs and the reference, e.g. images:1x3x224x224; dynamic dims not given are 1."
          + " Applied to every model that has an input of that name.")
  String shapes;

  @Option(names = "--reference", description = "Also time each model on ONNX Runtime (CPU), one after the other.")
  boolean reference;

  @Option(names = "--runs", defaultValue = "" + ReferenceRequest.DEFAULT_RUNS,
      description = "timed reference runs per model (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--json", description = "Print {flopsCounting, models: [...]} as JSON.")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** One model's static facts (and reference timing when asked). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ModelComparison(String file, String producer, long opset, int nodes, long parameters, long parameterBytes,
      long macs, long flops, boolean flopsComplete, List<String> uncountedNodes, List<String> shapeAssumptions,
      Map<String, String> verdicts, Reference reference) {}

  /** The ONNX Runtime CPU timing of one model. */
  record Reference(String onnxruntimeVersion, int threads, int runs, double medianLatencyMs, double p99LatencyMs,
      double throughputQps) {}

  /** The whole answer of {@code --json}. */
  record Comparison(String flopsCounting, List<String> releases, List<ModelComparison> models) {}

  @Override
  public Integer call() throws Exception {
    if (models.size() < MIN_MODELS || models.size() > MAX_MODELS) {
      throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "model_count",
          "compare takes " + MIN_MODELS + " to " + MAX_MODELS + " models; got " + models.size());
    }
    InputShapes inputShapes = InputShapes.parse(shapes);
    CompatibilityChecker checker = CompatibilityChecker.bundled();
    List<ModelComparison> rows = new ArrayList<>();
    List<String> shown = List.of();
    for (Path file : models) {
      OnnxModel m = OnnxModelReader.read(file);
      CompatibilityReport report = checker.check(m, releases);
      ModelCost cost = CostEstimator.estimate(m, inputShapes.byName());
      Map<String, String> verdicts = new LinkedHashMap<>();
      for (ReleaseResult rr : report.results()) {
        verdicts.put(rr.tensorrt(), rr.verdict().json());
      }
      shown = List.copyOf(verdicts.keySet());
      Reference ref = reference ? reference(file, inputShapes) : null;
      rows.add(new ModelComparison(file.toString(), report.model().producerName(), m.defaultOpset(),
          report.model().nodeCount(), cost.parameters(), cost.parameterBytes(), cost.macs(), cost.flops(),
          cost.complete(), cost.uncounted().stream().map(u -> "#" + u.nodeIndex() + " " + u.op() + " " + u.node())
              .toList(), cost.assumptions(), verdicts, ref));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.pretty().writeValueAsString(new Comparison(ModelCost.NOT_COUNTED, shown, rows)));
    } else {
      print(out, shown, rows);
    }
    out.flush();
    return 0;
  }

  private Reference reference(Path file, InputShapes inputShapes) {
    ReferenceResult r = new ReferenceRunner().run(ReferenceRequest.of(file).withShapes(inputShapes).withRuns(runs));
    return new Reference(r.onnxruntimeVersion(), r.threads(), r.runs(), r.latencyMs().median(), r.latencyMs().p99(),
        r.throughputPerSec());
  }

  static void print(PrintWriter out, List<String> releases, List<ModelComparison> rows) {
    int nameWidth = Math.min(40, Math.max(5, rows.stream().mapToInt(r -> name(r).length()).max().orElse(5)));
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s %7s %10s %10s", "model",
        "nodes", "params", "GFLOPs"));
    boolean anyReference = rows.stream().anyMatch(r -> r.reference() != null);
    if (anyReference) {
      head.append(String.format(Locale.ROOT, " %10s %10s", "cpu ms p50", "cpu ms p99"));
    }
    for (String release : releases) {
      head.append(String.format(Locale.ROOT, " %-13s", "trt " + release));
    }
    out.println(head);
    for (ModelComparison r : rows) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + nameWidth + "s %7d %10s %10s",
          shorten(name(r), nameWidth), r.nodes(), count(r.parameters()),
          String.format(Locale.ROOT, "%.3f", r.flops() / 1e9) + (r.flopsComplete() ? "" : "+")));
      if (anyReference) {
        line.append(r.reference() == null ? String.format(Locale.ROOT, " %10s %10s", "-", "-")
            : String.format(Locale.ROOT, " %10.3f %10.3f", r.reference().medianLatencyMs(),
                r.reference().p99LatencyMs()));
      }
      for (String release : releases) {
        line.append(String.format(Locale.ROOT, " %-13s", r.verdicts().getOrDefault(release, "-")
            .replace("compatible_with_warnings", "warnings")));
      }
      out.println(line);
    }
    out.println();
    out.println("FLOPs " + ModelCost.NOT_COUNTED + ".");
    for (ModelComparison r : rows) {
      if (!r.shapeAssumptions().isEmpty()) {
        out.println(name(r) + ": dynamic dims taken as " + String.join(", ", r.shapeAssumptions())
            + " (set them with --shapes)");
      }
      if (!r.flopsComplete()) {
        out.println(name(r) + ": GFLOPs is a lower bound (+): shapes unknown at " + r.uncountedNodes().size()
            + " node(s), first " + r.uncountedNodes().get(0));
      }
    }
  }

  private static String name(ModelComparison r) {
    return Path.of(r.file()).getFileName().toString();
  }

  private static String shorten(String s, int width) {
    return s.length() <= width ? s : s.substring(0, width - 3) + "...";
  }

  /** 25557032 as 25.56M: parameter counts read best in millions. */
  static String count(long n) {
    return n >= 1_000_000_000 ? String.format(Locale.ROOT, "%.2fG", n / 1e9)
        : n >= 1_000_000 ? String.format(Locale.ROOT, "%.2fM", n / 1e6)
        : n >= 10_000 ? String.format(Locale.ROOT, "%.1fK", n / 1e3) : Long.toString(n);
  }
}
