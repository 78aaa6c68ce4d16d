package dev.trtcompat.fix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.accuracy.AccuracyComparison;
import dev.trtcompat.accuracy.OutputComparison;
import dev.trtcompat.accuracy.Tolerance;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceRunner;
import dev.trtcompat.reference.TensorProtoFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every libonnx-testdata model goes through {@code fix} with no target (all passes, every release), and the fixed
 * model must still reproduce the test data's expected outputs at the tolerance of the reference corpus test (ONNX
 * backend tests: rtol 1e-3, atol 1e-7; FFT models atol 1e-3). Where the original itself does not reproduce them
 * (random operators, disputed expectations, see docs/reference-corpus.md), the fixed model must equal the original.
 * A fix that is refused, or a fixed model that no longer matches, fails. Report: target/fix-corpus-report.md.
 */
@Tag("corpus")
class FixCorpusTest {

  static final Path CORPUS = Path.of("/usr/share/libonnx-testdata/data");
  static final List<String> SUITES = List.of("node", "pytorch-converted", "pytorch-operator", "simple");
  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  enum Status { MATCHES_EXPECTED, MATCHES_ORIGINAL, UNPROVEN, NOT_READ, NOT_FED, REFUSED, MISMATCH }

  record Outcome(Status status, List<String> passes, String detail) {}

  static final Map<String, Outcome> OUTCOMES = new ConcurrentSkipListMap<>();
  /** Models below opset 7: "moved", or why opset-upgrade left the model where it is. */
  static final Map<String, String> UPGRADES = new ConcurrentSkipListMap<>();

  @TempDir static Path work;

  static Stream<String> models() throws IOException {
    if (!Files.isDirectory(CORPUS)) {
      return Stream.of();
    }
    List<String> all = new ArrayList<>();
    for (String suite : SUITES) {
      try (Stream<Path> dirs = Files.list(CORPUS.resolve(suite))) {
        dirs.filter(d -> Files.isRegularFile(d.resolve("model.onnx"))).map(d -> suite + "/" + d.getFileName())
            .sorted().forEach(all::add);
      }
    }
    // -Dfix.corpus.only=REGEX runs the models whose id matches, e.g. 'node/test_(resize|upsample).*'
    String only = System.getProperty("fix.corpus.only", "");
    return only.isEmpty() ? all.stream() : all.stream().filter(id -> id.matches(only));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void fixedModelKeepsTheExpectedOutputs(String id) throws IOException {
    Outcome o = evaluate(id);
    OUTCOMES.put(id, o);
    assertThat(o.status()).as("%s: %s", id, o.detail()).isNotIn(Status.REFUSED, Status.MISMATCH);
  }

  static Outcome evaluate(String id) throws IOException {
    Path dir = CORPUS.resolve(id);
    Path model = dir.resolve("model.onnx");
    Path out = work.resolve(id.replace('/', '_') + ".onnx");
    // The equivalence run is fed the recorded inputs: random integers would divide by zero in integer Div/Mod
    // tests, which ONNX Runtime answers with SIGFPE.
    Map<String, HostTensor> recorded = new LinkedHashMap<>();
    List<String> declared;
    ModelProto proto = ModelProto.parseFrom(Files.readAllBytes(model));
    long opset = proto.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty())
        .mapToLong(OperatorSetIdProto::getVersion).findFirst().orElse(Long.MAX_VALUE);
    try {
      declared = inputNames(model, proto);
      Path set0 = dir.resolve("test_data_set_0");
      for (int i = 0; Files.exists(set0.resolve("input_" + i + ".pb")); i++) {
        HostTensor t = TensorProtoFiles.read(set0.resolve("input_" + i + ".pb"));
        String name = declared.contains(t.name()) ? t.name() : i < declared.size() ? declared.get(i) : t.name();
        recorded.put(name, t.withName(name));
      }
    } catch (UserFacingException e) {
      if (opset < 7) {
        UPGRADES.put(id, "not read: " + e.detail());
      }
      return new Outcome(Status.NOT_READ, List.of(), e.detail());
    }
    FixReport r;
    try {
      r = new ModelFixer(CHECKER, "corpus").fix(FixRequest.of(model, out).withGivenInputs(recorded));
    } catch (UserFacingException e) {
      if (opset < 7) {
        UPGRADES.put(id, "fix not run: " + e.detail());
      }
      return new Outcome(Status.NOT_READ, List.of(), e.detail());
    }
    boolean upgraded = r.passesApplied().contains("opset-upgrade");
    if (opset < 7) {
      UPGRADES.put(id, upgraded ? (r.proven() ? "moved, proven against the original" : "moved; ONNX Runtime cannot"
          + " run the original, so only the expected outputs judge it") : r.notes().stream().filter(n -> n.startsWith("opset-upgrade:"))
          .findFirst().orElse("no note"));
    }
    if (r.status().equals("refused")) {
      return new Outcome(Status.REFUSED, r.passesApplied(), r.refusal());
    }
    // ONNX Runtime has no kernels for many ops below opset 7 (Add-6, PRelu-6, BatchNormalization-6), so a moved
    // model is often unproven against its original: it must then reproduce the expected outputs on its own.
    if (!r.proven() && !upgraded) {
      return new Outcome(Status.UNPROVEN, r.passesApplied(), r.unprovenReason());
    }
    Tolerance tol = id.matches("node/test_(dft|stft).*")
        ? Tolerance.onnxBackendTest().withAtol(1e-3) : Tolerance.onnxBackendTest();
    ReferenceRunner runner = new ReferenceRunner();
    List<String> fixedInputs = runner.signature(out).inputs();
    List<String> origInputs = inputNames(model, proto);
    List<Path> sets;
    try (Stream<Path> s = Files.list(dir)) {
      sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
    }
    boolean allExpected = true;
    for (Path set : sets) {
      Map<String, HostTensor> feedOrig = new LinkedHashMap<>();
      List<HostTensor> expected = new ArrayList<>();
      try {
        for (int i = 0; Files.exists(set.resolve("input_" + i + ".pb")); i++) {
          HostTensor t = TensorProtoFiles.read(set.resolve("input_" + i + ".pb"));
          String name = origInputs.contains(t.name()) ? t.name() : i < origInputs.size() ? origInputs.get(i) : t.name();
          feedOrig.put(name, t.withName(name));
        }
        for (int i = 0; Files.exists(set.resolve("output_" + i + ".pb")); i++) {
          expected.add(TensorProtoFiles.read(set.resolve("output_" + i + ".pb")));
        }
      } catch (UserFacingException e) {
        return new Outcome(Status.NOT_FED, r.passesApplied(), "test data: " + e.detail());
      }
      Map<String, HostTensor> feedFixed = new LinkedHashMap<>();
      feedOrig.forEach((k, v) -> {
        if (fixedInputs.contains(k)) {
          feedFixed.put(k, v);
        }
      });
      List<HostTensor> fixedOut;
      List<HostTensor> origOut;
      try {
        fixedOut = new ArrayList<>(runner.run(once(out, feedFixed)).outputTensors().values());
      } catch (UserFacingException e) {
        // a model this test moved to opset 11 must run; the recorded inputs are the ones it was made for
        return new Outcome(upgraded ? Status.MISMATCH : Status.NOT_FED, r.passesApplied(), e.detail());
      }
      try {
        origOut = new ArrayList<>(runner.run(once(model, feedOrig)).outputTensors().values());
      } catch (UserFacingException e) {
        if (!upgraded) {
          return new Outcome(Status.NOT_FED, r.passesApplied(), e.detail());
        }
        origOut = null; // the original is not runnable: the moved model answers to the expected outputs alone
      }
      for (int i = 0; i < expected.size() && i < fixedOut.size(); i++) {
        HostTensor exp = expected.get(i);
        OutputComparison vsExpected = AccuracyComparison.compare(exp, fixedOut.get(i).withName(exp.name()), tol);
        if (vsExpected.passed()) {
          continue;
        }
        allExpected = false;
        if (origOut == null) {
          return new Outcome(Status.MISMATCH, r.passesApplied(), set.getFileName() + " output " + i
              + ": moved from opset " + opset + " (ONNX Runtime cannot run the original), does not reproduce the"
              + " expected outputs: " + vsExpected.problem());
        }
        OutputComparison origVsExpected = AccuracyComparison.compare(exp, origOut.get(i).withName(exp.name()), tol);
        if (origVsExpected.passed()) {
          return new Outcome(Status.MISMATCH, r.passesApplied(),
              set.getFileName() + " output " + i + ": the original matches, the fixed model does not: "
                  + vsExpected.problem());
        }
        OutputComparison vsOrig = AccuracyComparison.compare(origOut.get(i), fixedOut.get(i).withName(
            origOut.get(i).name()), tol);
        if (!vsOrig.passed() && !id.contains("bernoulli") && !id.contains("training_dropout")) {
          return new Outcome(Status.MISMATCH, r.passesApplied(), "differs from the original: " + vsOrig.problem());
        }
      }
    }
    return new Outcome(allExpected ? Status.MATCHES_EXPECTED : Status.MATCHES_ORIGINAL, r.passesApplied(),
        allExpected ? "" : "the original does not reproduce the recorded outputs either (docs/reference-corpus.md)");
  }

  /** ONNX Runtime's input names, or the graph's inputs that have no initializer where it cannot load the model. */
  private static List<String> inputNames(Path model, ModelProto proto) {
    try {
      return new ReferenceRunner().signature(model).inputs();
    } catch (UserFacingException e) {
      Set<String> inits = proto.getGraph().getInitializerList().stream().map(TensorProto::getName)
          .collect(Collectors.toSet());
      List<String> names = proto.getGraph().getInputList().stream().map(ValueInfoProto::getName)
          .filter(n -> !inits.contains(n)).toList();
      if (proto.getOpsetImportList().stream().noneMatch(o -> o.getDomain().isEmpty() && o.getVersion() < 7)) {
        throw e;
      }
      return names;
    }
  }

  private static ReferenceRequest once(Path model, Map<String, HostTensor> inputs) {
    return ReferenceRequest.of(model).withRuns(1).withWarmup(0).withThreads(1).withGivenInputs(inputs);
  }

  /** How many models below opset 7 opset-upgrade moved, how many stayed, and the reasons, commonest first. */
  static String upgradeSection() {
    if (UPGRADES.isEmpty()) {
      return "";
    }
    long moved = UPGRADES.values().stream().filter(v -> v.startsWith("moved")).count();
    Map<String, Long> reasons = new TreeMap<>();
    UPGRADES.values()
        .forEach(v -> reasons.merge(v.replaceAll("\\(node [^)]*\\)", "(node …)"), 1L, Long::sum));
    StringBuilder md = new StringBuilder("\n## opset-upgrade: models below opset 7\n\n")
        .append(UPGRADES.size()).append(" models, ").append(moved).append(" moved to opset 11, ")
        .append(UPGRADES.size() - moved).append(" stayed.\n\n| how it moved, or why it stayed | models |\n|---|---|\n");
    reasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> md.append("| ").append(e.getKey().replace("|", "\\|")).append(" | ").append(e.getValue())
            .append(" |\n"));
    md.append("\n| model | opset-upgrade |\n|---|---|\n");
    UPGRADES.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v.replace("|", "\\|")).append(" |\n"));
    return md.toString();
  }

  @AfterAll
  static void writeReport() throws IOException {
    if (OUTCOMES.isEmpty()) {
      return;
    }
    Map<Status, Long> counts = new TreeMap<>();
    Map<String, Long> passCounts = new TreeMap<>();
    OUTCOMES.values().forEach(o -> {
      counts.merge(o.status(), 1L, Long::sum);
      o.passes().forEach(p -> passCounts.merge(p, 1L, Long::sum));
    });
    StringBuilder md = new StringBuilder("# fix over libonnx-testdata\n\nSuites ").append(SUITES)
        .append(", no target release, all passes.\n\n| status | models |\n|---|---|\n");
    for (Status s : Status.values()) {
      md.append("| ").append(s).append(" | ").append(counts.getOrDefault(s, 0L)).append(" |\n");
    }
    md.append("| total | ").append(OUTCOMES.size()).append(" |\n\n| pass | models it changed |\n|---|---|\n");
    passCounts.forEach((p, n) -> md.append("| ").append(p).append(" | ").append(n).append(" |\n"));
    md.append("\n## Models not matching the expected outputs directly\n\n| model | status | detail |\n|---|---|---|\n");
    OUTCOMES.entrySet().stream().filter(e -> e.getValue().status() != Status.MATCHES_EXPECTED)
        .sorted(Comparator.comparing((Map.Entry<String, Outcome> e) -> e.getValue().status())
            .thenComparing(Map.Entry::getKey))
        .forEach(e -> md.append("| ").append(e.getKey()).append(" | ").append(e.getValue().status()).append(" | ")
            .append(String.valueOf(e.getValue().detail()).replace("|", "\\|").replace("\n", " ")).append(" |\n"));
    md.append(upgradeSection());
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "fix-corpus-report.md"), md.toString());
  }
}
