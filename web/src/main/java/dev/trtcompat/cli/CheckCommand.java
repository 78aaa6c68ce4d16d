package dev.trtcompat.cli;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.ExplicitQuantizationVerdict;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.GpuSupport;
import dev.trtcompat.check.PrecisionResult;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.check.Severity;
import dev.trtcompat.check.Verdict;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.precision.Gpu;
import dev.trtcompat.quantize.Quantizer;
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
 * {@code trt-compat check MODEL}: the static compatibility matrix, per TensorRT release, without a GPU.
 *
 * <p>Exit codes: 0 at least one requested release is expected to accept the model (compatible or compatible
 * with warnings); 1 every requested release is incompatible; 6 no requested release accepts it and at least one
 * verdict is unknown (a fact the knowledge base lacks); 2 bad input (unreadable model, unknown release or GPU).
 * With {@code --gpu} a release counts as accepting when one of its precision columns does for that GPU.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Check an ONNX model against every TensorRT release's ONNX parser (no GPU needed).",
    footer = {
      "",
      "Exit codes: 0 accepted by at least one requested release; 1 incompatible with every requested release;",
      "6 none accepts and at least one verdict is unknown; 2 unreadable model, unknown release or unknown GPU."
    })
final class CheckCommand implements Callable<Integer> {

  static final int EXIT_ACCEPTED = 0;
  static final int EXIT_INCOMPATIBLE = 1;
  static final int EXIT_UNDECIDED = 6;
  /** Findings printed per release before pointing at --json. */
  static final int FINDINGS_SHOWN = 15;

  @Parameters(paramLabel = "MODEL", description = "The .onnx file (external data is looked up beside it).")
  Path model;

  @Option(names = "--trt", paramLabel = "VERSION", split = ",",
      description = "TensorRT release(s) to check, e.g. --trt 8.6 --trt 10.0 (default: every release known).")
  List<String> releases = new ArrayList<>();

  @Option(names = "--gpu", paramLabel = "GPU",
      description = "Check for one GPU: a compute capability (sm_89, 8.9) or a name (L4, A100, \"RTX 4090\"). "
          + "Releases not documented for it and precisions it cannot build fail; without it, each precision "
          + "column says which GPUs it assumes.")
  String gpu;

  @Option(names = "--json", description = "Print {model, results, opsetAdvice, quantization, gpu} as JSON.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Also list info findings and findings of accepting releases.")
  boolean verbose;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CompatibilityChecker checker = CompatibilityChecker.bundled();
    Gpu chosen = null;
    if (gpu != null) {
      try {
        chosen = checker.gpuFilter().resolve(gpu);
      } catch (IllegalArgumentException e) {
        throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "unknown_gpu", e.getMessage());
      }
    }
    CompatibilityReport report = checker.check(OnnxModelReader.read(model), releases, chosen);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.pretty().writeValueAsString(report));
    } else {
      print(out, model, report, verbose);
    }
    out.flush();
    return exitCode(report);
  }

  static int exitCode(CompatibilityReport report) {
    List<Verdict> vs = report.results().stream().map(r -> report.gpu() == null ? r.verdict() : bestColumn(r)).toList();
    if (vs.stream().anyMatch(Verdict::accepts)) {
      return EXIT_ACCEPTED;
    }
    return vs.stream().allMatch(v -> v == Verdict.INCOMPATIBLE) ? EXIT_INCOMPATIBLE : EXIT_UNDECIDED;
  }

  /** The most favourable precision column of a release (for one GPU). */
  private static Verdict bestColumn(ReleaseResult r) {
    List<Verdict> order = List.of(Verdict.COMPATIBLE, Verdict.COMPATIBLE_WITH_WARNINGS, Verdict.UNKNOWN,
        Verdict.INCOMPATIBLE);
    return r.precisions().values().stream().map(PrecisionResult::verdict).min(java.util.Comparator.comparing(order::indexOf))
        .orElse(r.verdict());
  }

  /** A precision cell of the table: ok, warn, FAIL or ? (unknown). */
  static String cell(PrecisionResult p) {
    if (p == null) {
      return "-";
    }
    return switch (p.verdict()) {
      case COMPATIBLE -> "ok";
      case COMPATIBLE_WITH_WARNINGS -> "warn";
      case INCOMPATIBLE -> "FAIL";
      case UNKNOWN -> "?";
    };
  }

  static void print(PrintWriter out, Path model, CompatibilityReport r, boolean verbose) {
    ModelSummary m = r.model();
    out.printf("%s: producer %s %s, opset %d, IR %d, %d nodes%n%n", model.getFileName(),
        m.producerName().isEmpty() ? "-" : m.producerName(), m.producerVersion(), r.opsetAdvice().modelOpset(),
        m.irVersion(), m.nodeCount());
    if (r.gpu() != null) {
      out.printf("GPU: %s, compute capability %s%s%n%n", r.gpu().name(), r.gpu().computeCapability(),
          r.gpu().family() == null ? " (its precisions are not in the knowledge base)" : " (" + r.gpu().family() + ")");
    }
    out.printf("%-9s %-25s %-14s %6s %8s  %-5s %-5s %-5s  %s%n", "TensorRT", "verdict", "rules", "errors", "warnings",
        "FP32", "FP16", "INT8", "first problem");
    for (ReleaseResult rr : r.results()) {
      Map<String, PrecisionResult> p = rr.precisions();
      String problem = rr.gpu() != null && rr.gpu().status() == GpuSupport.Status.UNSUPPORTED
          ? "not for " + r.gpu().sm() + ": " + shorten(rr.gpu().reason()) : firstProblem(rr);
      out.printf("%-9s %-25s %-14s %6d %8d  %-5s %-5s %-5s  %s%n", rr.tensorrt(), rr.verdict().json(), basis(rr),
          rr.errors(), rr.warnings(), cell(p.get("fp32")), cell(p.get("fp16")), cell(p.get("int8")), problem);
    }
    if (r.results().stream().anyMatch(ReleaseResult::derived)) {
      out.println("derived: the release's own operator table and importer code were not read here; its rules are the"
          + " named earlier release's plus its parser changelog, so its verdict is less certain.");
    }
    out.println();
    out.println("verdict: the ONNX parser's; FP32/FP16/INT8: building in that precision (ok, warn, FAIL, ? unknown)");
    precisionNotes(out, r);
    if (!r.explicitQuantization().isEmpty()) {
      printExplicitQuantization(out, r.explicitQuantization());
      // The matrix's label: Q/DQ scales that our quantizer computed from random samples are timing only.
      out.println("INT8 builds  " + MatrixReport.Cell.int8Label(false, Quantizer.scalesFromRandomData(m.metadata()))
          + " where the release reads the Q/DQ scales");
      out.println();
    }
    r.opsetAdvice().advice().forEach(a -> out.println("advice: " + a));
    for (ReleaseResult rr : r.results()) {
      List<Finding> parse = rr.verdict().accepts() && !verbose ? List.of()
          : rr.findings().stream().filter(f -> verbose || f.severity() != Severity.INFO).toList();
      List<String> columns = rr.precisions().entrySet().stream()
          .filter(e -> verbose || (!e.getValue().verdict().accepts() && e.getValue().verdict() != rr.verdict()))
          .filter(e -> e.getValue().findings().stream().anyMatch(f -> !f.rule().equals("int8.placeholder_scales")))
          .map(Map.Entry::getKey).toList();
      if (parse.isEmpty() && columns.isEmpty()) {
        continue;
      }
      out.printf("%nTensorRT %s (%s%s)%n", rr.tensorrt(), rr.verdict().json(),
          rr.derived() ? ", derived from " + rr.derivedFrom() + " + changelog" : "");
      list(out, parse);
      for (String c : columns) {
        PrecisionResult col = rr.precisions().get(c);
        out.printf("  %s build (%s):%n", c.toUpperCase(java.util.Locale.ROOT), col.verdict().json());
        list(out, col.findings().stream().filter(f -> !f.rule().equals("int8.placeholder_scales"))
            .filter(f -> verbose || f.severity() != Severity.INFO).toList());
      }
    }
  }

  /**
   * The checker's Q/DQ verdict, releases grouped by how they import Q/DQ and their verdict, with the first finding
   * of a group that does not accept the model.
   */
  static void printExplicitQuantization(PrintWriter w, List<ExplicitQuantizationVerdict> verdicts) {
    Map<String, List<ExplicitQuantizationVerdict>> groups = new LinkedHashMap<>();
    for (ExplicitQuantizationVerdict v : verdicts) {
      String key = (v.mode() == ExplicitQuantizationVerdict.Mode.SCALE_LAYERS
          ? "Q/DQ as scale layers, no INT8 from the scales" : v.mode() == ExplicitQuantizationVerdict.Mode.UNKNOWN
          ? "Q/DQ rules unknown" : "explicit quantization") + ": " + v.verdict().json();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
    }
    String label = "TensorRT     ";
    for (Map.Entry<String, List<ExplicitQuantizationVerdict>> g : groups.entrySet()) {
      List<ExplicitQuantizationVerdict> vs = g.getValue();
      String first = vs.get(0).verdict().accepts() ? "" : vs.get(0).findings().stream()
          .filter(f -> f.severity() == Severity.ERROR).findFirst()
          .or(() -> vs.get(0).findings().stream().filter(f -> f.rule().startsWith("qdq.")).findFirst())
          .or(() -> vs.get(0).findings().stream().findFirst())
          .map(f -> " (" + vs.get(0).tensorrt() + ": " + f.message() + ")").orElse("");
      w.printf(Locale.ROOT, "%s%s: %s%s%n", label, g.getKey(),
          String.join(", ", vs.stream().map(ExplicitQuantizationVerdict::tensorrt).toList()), first);
      label = "             ";
    }
  }

  /** Where the release's rules come from: read from its sources, or derived from an earlier release. */
  static String basis(ReleaseResult rr) {
    return rr.derived() ? "derived<-" + rr.derivedFrom() : "source";
  }

  private static void list(PrintWriter out, List<Finding> shown) {
    for (Finding f : shown.subList(0, Math.min(FINDINGS_SHOWN, shown.size()))) {
      String where = f.node() == null ? "model" : "node " + f.nodeIndex() + " " + f.path() + " (" + f.op() + ")";
      out.printf("  %-7s %s [%s]%n          %s%n          fix: %s%n", f.severity().json(), where, f.rule(),
          f.message(), f.fix());
    }
    if (shown.size() > FINDINGS_SHOWN) {
      out.printf("  ... %d more (use --json)%n", shown.size() - FINDINGS_SHOWN);
    }
  }

  /** Once per report: which GPUs the columns assume, and the INT8 placeholder caveat. */
  private static void precisionNotes(PrintWriter out, CompatibilityReport r) {
    if (r.results().isEmpty()) {
      return;
    }
    ReleaseResult last = r.results().get(r.results().size() - 1);
    if (r.gpu() == null) {
      for (String p : List.of("fp16", "int8")) {
        PrecisionResult col = last.precisions().get(p);
        if (col != null) {
          out.println(p.toUpperCase(java.util.Locale.ROOT) + " assumes " + col.assumes() + " (--gpu sm_89, --gpu L4)");
        }
      }
    } else {
      r.results().stream().filter(rr -> rr.gpu() != null && rr.gpu().status() != GpuSupport.Status.SUPPORTED)
          .forEach(rr -> out.println("TensorRT " + rr.tensorrt() + ": " + rr.gpu().reason()));
    }
    r.results().stream().flatMap(rr -> rr.precisions().getOrDefault("int8", EMPTY).findings().stream())
        .filter(f -> f.rule().equals("int8.placeholder_scales")).findFirst()
        .ifPresent(f -> out.println("INT8: " + f.message()));
    out.println();
  }

  private static final PrecisionResult EMPTY = new PrecisionResult(Verdict.UNKNOWN, 0, 0, List.of(), "", List.of());

  private static String firstProblem(ReleaseResult rr) {
    return rr.findings().stream()
        .filter(f -> f.severity() == Severity.ERROR).findFirst()
        .or(() -> rr.findings().stream().filter(Finding::unknownFact).findFirst())
        .or(() -> rr.findings().stream().filter(f -> f.severity() == Severity.WARNING).findFirst())
        .map(f -> (f.node() == null ? "" : "node " + f.nodeIndex() + " " + f.op() + ": ") + shorten(f.message()))
        .orElse("");
  }

  private static String shorten(String s) {
    return s.length() <= 90 ? s : s.substring(0, 87) + "...";
  }
}
