package dev.trtcompat.cli;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.fix.FixPipeline;
import dev.trtcompat.fix.FixReport;
import dev.trtcompat.fix.FixRequest;
import dev.trtcompat.fix.GivenInputs;
import dev.trtcompat.fix.ModelFixer;
import dev.trtcompat.json.Json;
import dev.trtcompat.reference.InputShapes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trt-compat fix MODEL --out FIXED}: rewrites the model for the target releases, shows the verdicts
 * before and after, and proves with ONNX Runtime that the outputs stayed the same.
 */
@Command(
    name = "fix",
    mixinStandardHelpOptions = true,
    description = "Rewrite an ONNX model so TensorRT releases accept it, and prove its outputs did not change.",
    footer = {
      "",
      "Exit codes: 0 fixed model written (proven, or unproven where ONNX Runtime cannot run the original);",
      "1 refused: the rewrite changed outputs or ONNX Runtime cannot run the fixed model (nothing written);",
      "2 bad input (unreadable model, unknown release or pass, shapes that contradict the model)."
    })
final class FixCommand implements Callable<Integer> {

  @Parameters(paramLabel = "MODEL", description = "the .onnx file")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the fixed model")
  Path out;

  @Option(names = "--trt", paramLabel = "VERSION", split = ",",
      description = "target TensorRT release(s), e.g. --trt 8.6 (default: every release known)")
  List<String> releases = new ArrayList<>();

  @Option(names = "--shapes", paramLabel = "SPEC", description = "fixed input shapes, e.g. x:1x3x224x224,mask:1x224")
  String shapes;

  @Option(names = "--passes", paramLabel = "NAME", split = ",",
      description = "passes to run (default: all but int64-io): ${COMPLETION-CANDIDATES}",
      completionCandidates = PassNames.class)
  List<String> passes = new ArrayList<>();

  @Option(names = "--int64-io",
      description = "also turn INT64 graph inputs and outputs into INT32 (changes the model's interface; refused"
          + " when an input value does not fit)")
  boolean int64Io;

  @Option(names = "--inputs", paramLabel = "FILE", split = ",",
      description = "inputs for the equivalence run: name:file.npy or file.npz (default: seeded random)")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--seed", defaultValue = "42", description = "seed of the random inputs (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--json", description = "print the report as JSON")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  static final class PassNames extends ArrayList<String> {
    PassNames() {
      super(FixPipeline.knownNames());
    }
  }

  @Override
  public Integer call() throws Exception {
    FixRequest req = new FixRequest(model, out, releases, InputShapes.parse(shapes),
        int64Io ? FixPipeline.plus(passes, "int64-io") : passes,
        GivenInputs.read(inputs), seed);
    String version = new TrtCompatCommand.Version().getVersion()[0].replace("trt-compat ", "");
    FixReport r = new ModelFixer(CompatibilityChecker.bundled(), version).fix(req);
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(Json.pretty().writeValueAsString(r));
    } else {
      print(w, r);
    }
    w.flush();
    return r.status().equals("refused") ? 1 : 0;
  }

  static void print(PrintWriter w, FixReport r) {
    w.printf("%s: %s%n", r.source(), r.status());
    if (r.refusal() != null) {
      w.println("refused: " + r.refusal());
    }
    if (r.output() != null) {
      w.printf("written: %s (%s)%n", r.output(), r.proven() ? "proven equivalent by ONNX Runtime" : "UNPROVEN");
    }
    if (r.unprovenReason() != null) {
      w.println("unproven: " + r.unprovenReason());
    }
    w.println();
    for (FixReport.PassResult p : r.passes()) {
      w.printf("pass %-20s %s%n", p.name(), p.applied() ? "applied" : "no change");
      p.findingsRemoved().forEach(f -> w.println("     removed: " + f));
    }
    w.println();
    r.summary().forEach(s -> w.println("verdict: " + s));
    w.println();
    w.printf("%-9s %-25s %-25s %s%n", "TensorRT", "before", "after", "still blocking");
    for (FixReport.ReleaseChange c : r.releases()) {
      w.printf("%-9s %-25s %-25s %s%n", c.tensorrt(), c.before(), c.after(),
          c.remaining().isEmpty() ? "" : c.remaining().get(0) + (c.remaining().size() > 1
              ? " (+" + (c.remaining().size() - 1) + " more, --json)" : ""));
    }
    if (r.equivalence() != null) {
      w.println();
      w.println("equivalence: " + r.equivalence().tolerance());
      r.equivalence().inputs().forEach(i -> w.println("  input  " + i));
      for (FixReport.OutputError o : r.equivalence().outputs()) {
        w.printf(Locale.ROOT, "  output %s max abs %.3g max rel %.3g %s%n", o.name(), o.maxAbsError(),
            o.maxRelError(), o.passed() ? "ok" : "DIFFERS: " + o.problem());
      }
      r.equivalence().notes().forEach(n -> w.println("  note   " + n));
    }
    r.notes().forEach(n -> w.println("note: " + n));
  }
}
