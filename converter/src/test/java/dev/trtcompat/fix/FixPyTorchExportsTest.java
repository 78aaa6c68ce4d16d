package dev.trtcompat.fix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.reference.InputShapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real PyTorch exports of compat-matrix's tests, fixed for every release (dynamic inputs given the shapes
 * they were exported with): each fix must be delivered and proven equivalent by ONNX Runtime; which releases each
 * model gains is written to target/fix-pytorch-exports.md.
 */
class FixPyTorchExportsTest {

  static final Path EXPORTS = Path.of("../compat-matrix/src/test/resources/pytorch-exports");
  /** Shapes for the exports with dynamic dims (export_models.py exports them at these sizes). */
  static final Map<String, String> SHAPES = Map.of("lstm.onnx", "x:2x5x16");

  static final Map<String, String> GAINS = new ConcurrentSkipListMap<>();

  @TempDir static Path work;

  static Stream<String> exports() throws IOException {
    try (Stream<Path> s = Files.list(EXPORTS)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".onnx")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exports")
  void fixedAndProven(String name) {
    FixRequest req = FixRequest.of(EXPORTS.resolve(name), work.resolve(name))
        .withShapes(InputShapes.parse(SHAPES.get(name)));
    FixReport r = new ModelFixer(CompatibilityChecker.bundled(), "test").fix(req);
    assertThat(r.status()).as("%s: %s", name, r.refusal()).isNotEqualTo("refused");
    assertThat(r.proven()).as("%s: %s", name, r.unprovenReason()).isTrue();
    List<String> gained = r.releases().stream()
        .filter(c -> !accepts(c.before()) && accepts(c.after())).map(FixReport.ReleaseChange::tensorrt).toList();
    List<String> improved = r.releases().stream()
        .filter(c -> !c.before().equals(c.after())).map(c -> c.tensorrt() + " " + c.before() + "→" + c.after())
        .toList();
    GAINS.put(name, "| " + name + " | " + String.join(", ", r.passesApplied()) + " | "
        + (gained.isEmpty() ? "none" : String.join(", ", gained)) + " | " + String.join("; ", improved) + " | "
        + String.join("; ", r.summary()) + " |");
  }

  private static boolean accepts(String verdict) {
    return verdict.equals("compatible") || verdict.equals("compatible_with_warnings");
  }

  @AfterAll
  static void report() throws IOException {
    StringBuilder md = new StringBuilder("| model | passes applied | releases gained | verdict changes | summary |\n"
        + "|---|---|---|---|---|\n");
    new TreeMap<>(GAINS).values().forEach(l -> md.append(l).append('\n'));
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "fix-pytorch-exports.md"), md.toString());
  }
}
