package dev.trtcompat.cli;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.check.Severity;
import dev.trtcompat.check.Verdict;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModelReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * verdict is unknown (a fact the knowledge base lacks); 2 bad input (unreadable model, unknown release).
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = "Check an ONNX model against every TensorRT release's ONNX parser (no GPU needed).",
    footer = {
      "",
      "Exit codes: 0 accepted by at least one requested release; 1 incompatible with every requested release;",
      "6 none accepts and at least one verdict is unknown; 2 unreadable model or unknown release."
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

  @Option(names = "--json", description = "Print {model, results, opsetAdvice} as JSON.")
  boolean json;

  @Option(names = {"-v", "--verbose"}, description = "Also list info findings and findings of accepting releases.")
  boolean verbose;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CompatibilityReport report = CompatibilityChecker.bundled().check(OnnxModelReader.read(model), releases);
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
    List<ReleaseResult> rs = report.results();
    if (rs.stream().anyMatch(r -> r.verdict().accepts())) {
      return EXIT_ACCEPTED;
    }
    return rs.stream().allMatch(r -> r.verdict() == Verdict.INCOMPATIBLE) ? EXIT_INCOMPATIBLE : EXIT_UNDECIDED;
  }

  static void print(PrintWriter out, Path model, CompatibilityReport r, boolean verbose) {
    ModelSummary m = r.model();
    out.printf("%s: producer %s %s, opset %d, IR %d, %d nodes%n%n", model.getFileName(),
        m.producerName().isEmpty() ? "-" : m.producerName(), m.producerVersion(), r.opsetAdvice().modelOpset(),
        m.irVersion(), m.nodeCount());
    out.printf("%-9s %-25s %-14s %6s %8s  %s%n", "TensorRT", "verdict", "rules", "errors", "warnings",
        "first problem");
    for (ReleaseResult rr : r.results()) {
      out.printf("%-9s %-25s %-14s %6d %8d  %s%n", rr.tensorrt(), rr.verdict().json(), basis(rr), rr.errors(),
          rr.warnings(), firstProblem(rr));
    }
    if (r.results().stream().anyMatch(ReleaseResult::derived)) {
      out.println("derived: the release's own operator table and importer code were not read here; its rules are the"
          + " named earlier release's plus its parser changelog, so its verdict is less certain.");
    }
    out.println();
    r.opsetAdvice().advice().forEach(a -> out.println("advice: " + a));
    for (ReleaseResult rr : r.results()) {
      if (rr.verdict().accepts() && !verbose) {
        continue;
      }
      List<Finding> shown = rr.findings().stream().filter(f -> verbose || f.severity() != Severity.INFO).toList();
      if (shown.isEmpty()) {
        continue;
      }
      out.printf("%nTensorRT %s (%s%s)%n", rr.tensorrt(), rr.verdict().json(),
          rr.derived() ? ", derived from " + rr.derivedFrom() + " + changelog" : "");
      for (Finding f : shown.subList(0, Math.min(FINDINGS_SHOWN, shown.size()))) {
        String where = f.node() == null ? "model" : "node " + f.nodeIndex() + " " + f.path() + " (" + f.op() + ")";
        out.printf("  %-7s %s [%s]%n          %s%n          fix: %s%n", f.severity().json(), where, f.rule(),
            f.message(), f.fix());
      }
      if (shown.size() > FINDINGS_SHOWN) {
        out.printf("  ... %d more (use --json)%n", shown.size() - FINDINGS_SHOWN);
      }
    }
  }

  /** Where the release's rules come from: read from its sources, or derived from an earlier release. */
  static String basis(ReleaseResult rr) {
    return rr.derived() ? "derived<-" + rr.derivedFrom() : "source";
  }

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
