package dev.trtcompat.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.ReleaseRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ground truth nobody here wrote: each onnx-tensorrt branch's onnx_backend_test.py says which ONNX backend node
 * tests the release runs. Our verdicts on Debian's libonnx-testdata node models are compared with it; every
 * disagreement gets a reason, and the report goes to target/backend-validation.md (quoted in
 * docs/compat-matrix.md).
 *
 * <p>"Exclusion about operator support" (the target set): a test the list does not select, whose operator the
 * list never enables on that branch (or whose exclusion comment says "not supported"), and whose operator the
 * branch's own operator table marks N or omits. Two independent sources then say the operator is unsupported.
 */
class BackendTestValidationTest {

  static final Path NODE_TESTS = Path.of("/usr/share/libonnx-testdata/data/node");
  static final Path OPERATORS_TSV = Path.of("src/test/resources/compat-sources/operators.tsv");

  static KnowledgeBase kb;
  static Map<String, OnnxModel> models = new TreeMap<>();
  static Map<String, CompatibilityReport> reports = new TreeMap<>();
  static Map<String, String> primaryOp = new HashMap<>();
  static Map<String, Map<String, String>> docSupport = new HashMap<>();

  @BeforeAll
  static void checkAll() throws IOException {
    Assumptions.assumeTrue(Files.isDirectory(NODE_TESTS), "libonnx-testdata is not installed (scripts/test-all.sh installs it)");
    kb = KnowledgeBase.bundled();
    CompatibilityChecker checker = new CompatibilityChecker(kb);
    Set<String> opNames = new HashSet<>();
    kb.releases().forEach(r -> r.operators().forEach(o -> opNames.add(o.op())));
    opNames.addAll(kb.onnxOperators().domains().get("ai.onnx").keySet());
    try (Stream<Path> s = Files.list(NODE_TESTS)) {
      for (Path dir : s.sorted().toList()) {
        Path file = dir.resolve("model.onnx");
        if (Files.isRegularFile(file)) {
          String test = dir.getFileName().toString();
          OnnxModel m = OnnxModelReader.read(file);
          models.put(test, m);
          reports.put(test, checker.check(m));
          // An _expanded test holds the operator's function body, not the operator: it is about the ops it
          // decomposes into, so it gets no primary op (and never counts as an operator-support exclusion).
          Set<String> present = new HashSet<>();
          m.graph().nodes().forEach(n -> present.add(n.getOpType()));
          String op = primaryOp(test, opNames);
          primaryOp.put(test, op != null && present.contains(op) ? op : null);
        }
      }
    }
    for (String line : Files.readAllLines(OPERATORS_TSV).subList(1, Files.readAllLines(OPERATORS_TSV).size())) {
      String[] f = line.split("\t", -1);
      docSupport.computeIfAbsent(f[0], k -> new HashMap<>()).merge(f[2], f[3], (a, b) -> a.startsWith("Y") ? a : b);
    }
  }

  /** The operator a node test is about: the longest operator name the test name starts with. */
  static String primaryOp(String test, Set<String> ops) {
    String key = test.substring("test_".length()).replace("_", "").toLowerCase(Locale.ROOT);
    String best = null;
    for (String op : ops) {
      String o = op.toLowerCase(Locale.ROOT);
      if (key.startsWith(o) && (best == null || o.length() > best.length())) {
        best = op;
      }
    }
    return best;
  }

  record Row(String release, int selected, int selectedAgree, int opExcluded, int opExcludedAgree,
      int opExcludedCompatible, int notSelectedOther, Map<String, Integer> selectedReasons,
      Map<String, Integer> opExcludedReasons, List<String> unexplained) {
    double opAgreement() {
      return opExcluded == 0 ? 1.0 : (double) opExcludedAgree / opExcluded;
    }
  }

  /** The list of a release: named by branch up to 10.1, by release from 10.2 (tags release-10.x); null if none. */
  static Path listFile(ReleaseRules rel) {
    Path dir = Path.of("src/test/resources/onnx-backend-test");
    Path byBranch = dir.resolve(rel.sources().get(0).branch() + ".py");
    Path byRelease = dir.resolve(rel.release() + ".py");
    return rel.isDerived() ? null : Files.isRegularFile(byBranch) ? byBranch : Files.isRegularFile(byRelease) ? byRelease : null;
  }

  /**
   * The release's table flags: from the shared transcription (operators.tsv) where it has the release, else the
   * table rows gen_rules.py parsed from git into the release file ({@code doc}, verbatim).
   */
  static Map<String, String> docFlags(ReleaseRules rel) {
    Map<String, String> shared = docSupport.get(rel.sources().get(0).branch());
    if (shared != null) {
      return shared;
    }
    Map<String, String> fromFile = new HashMap<>();
    rel.operators().stream().filter(o -> o.doc() != null).forEach(o -> fromFile.put(o.op(), o.doc().supported()));
    return fromFile;
  }

  static Row evaluate(ReleaseRules rel) throws IOException {
    BackendTestList list = BackendTestList.read(listFile(rel));
    Set<String> enabledOps = new HashSet<>();
    for (String t : reports.keySet()) {
      if (list.selected(t) && primaryOp.get(t) != null) {
        enabledOps.add(primaryOp.get(t));
      }
    }
    Map<String, String> doc = docFlags(rel);
    int sel = 0, selAgree = 0, opx = 0, opxAgree = 0, opxCompat = 0, other = 0;
    Map<String, Integer> selReasons = new TreeMap<>();
    Map<String, Integer> opxReasons = new TreeMap<>();
    List<String> unexplained = new ArrayList<>();
    for (Map.Entry<String, CompatibilityReport> e : reports.entrySet()) {
      String test = e.getKey();
      ReleaseResult r = e.getValue().results().stream().filter(x -> x.tensorrt().equals(rel.release())).findFirst().orElseThrow();
      String op = primaryOp.get(test);
      if (list.selected(test)) {
        sel++;
        if (r.verdict().accepts()) {
          selAgree++;
        } else {
          String reason = selectedReason(r);
          selReasons.merge(reason, 1, Integer::sum);
          if (reason.equals("other")) {
            unexplained.add(rel.release() + " selected " + test + ": " + blocking(r));
          }
        }
        continue;
      }
      BackendTestList.Exclude ex = list.exclusion(test);
      boolean listSaysUnsupported = (ex != null && ex.comment().toLowerCase(Locale.ROOT).contains("not supported"))
          || (op != null && !enabledOps.contains(op));
      String docFlag = op == null ? null : doc.get(op);
      boolean docSaysUnsupported = docFlag == null || docFlag.startsWith("N");
      if (listSaysUnsupported && docSaysUnsupported) {
        opx++;
        if (!r.verdict().accepts()) {
          opxAgree++;
        } else {
          if (r.verdict() == Verdict.COMPATIBLE) {
            opxCompat++;
          }
          String reason = codeOverrides(rel, op) ? "importer code registers the operator (table lags)" : "other";
          opxReasons.merge(reason, 1, Integer::sum);
          if (reason.equals("other")) {
            unexplained.add(rel.release() + " op-excluded " + test + " (" + op + "): we say " + r.verdict().json());
          }
        }
      } else {
        other++;
      }
    }
    return new Row(rel.release(), sel, selAgree, opx, opxAgree, opxCompat, other, selReasons, opxReasons, unexplained);
  }

  static boolean codeOverrides(ReleaseRules rel, String op) {
    return rel.resolutions().stream().anyMatch(res -> res.op().equals(op) && res.decision().equals("yes"));
  }

  static List<Finding> blockingFindings(ReleaseResult r) {
    return r.findings().stream().filter(f -> f.severity() == Severity.ERROR || f.unknownFact()).toList();
  }

  static String blocking(ReleaseResult r) {
    return blockingFindings(r).stream().map(f -> f.rule() + ": " + f.message()).limit(2).toList().toString();
  }

  /** Why a test the list runs is one we reject; "other" must stay empty. */
  static String selectedReason(ReleaseResult r) {
    List<Finding> b = blockingFindings(r);
    if (b.stream().anyMatch(f -> f.rule().equals("op.schema_newer_than_parser.unknown"))) {
      return "test model uses an operator schema newer than the release documents";
    }
    if (b.stream().anyMatch(f -> f.rule().equals("parser.opset_newer_than_parser.unknown"))) {
      return "test model's opset is newer than the release documents";
    }
    if (b.stream().anyMatch(f -> f.rule().equals("io.non_tensor"))) {
      return "wildcard pulls in a sequence/optional test (non-tensor I/O)";
    }
    if (b.stream().anyMatch(f -> f.rule().equals("op.unsupported"))) {
      return "wildcard pulls in a test of another operator the release does not import";
    }
    if (b.stream().allMatch(f -> f.rule().startsWith("type.") || f.rule().equals("op.type_unsupported"))) {
      return "wildcard pulls in an element-type variant the release does not support";
    }
    if (b.stream().anyMatch(f -> f.rule().startsWith("constant_input."))) {
      return "node test feeds an input the importer reads as a weight (axes/pads/K...) as a graph input";
    }
    return "other";
  }

  static List<Row> rows() throws IOException {
    List<Row> rows = new ArrayList<>();
    for (ReleaseRules rel : kb.releases()) {
      if (listFile(rel) != null) {
        rows.add(evaluate(rel));
      }
    }
    return rows;
  }

  @Test
  void agreesWithOnnxTensorrtBackendListsOnOperatorSupport() throws IOException {
    List<Row> rows = rows();
    writeReport(rows);
    for (Row row : rows) {
      assertThat(row.opExcluded()).as("TensorRT %s has tests excluded for operator support", row.release()).isPositive();
      assertThat(row.opAgreement()).as("TensorRT %s agreement on operator-support exclusions", row.release())
          .isGreaterThanOrEqualTo(0.95);
      assertThat(row.opExcludedCompatible()).as("TensorRT %s: models we call compatible that the list excludes"
          + " for an unsupported op", row.release()).isZero();
    }
  }

  @Test
  void everyReleaseReadFromGitUpToTenTenHasItsList() throws IOException {
    assertThat(rows()).extracting(Row::release).contains("10.2", "10.6", "10.10").doesNotContain("10.11", "10.14");
  }

  @Test
  void everyDisagreementHasARecordedReason() throws IOException {
    List<String> unexplained = new ArrayList<>();
    for (Row row : rows()) {
      unexplained.addAll(row.unexplained());
    }
    assertThat(unexplained).isEmpty();
  }

  @Test
  void knownVerdictsOnIndividualNodeTests() {
    assertThat(verdict("test_nonzero_example", "8.4")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(verdict("test_nonzero_example", "8.5").accepts()).isTrue();
    assertThat(verdict("test_unique_not_sorted_without_axis", "10.1")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(verdict("test_resize_upsample_scales_cubic", "8.4")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(verdict("test_resize_upsample_scales_cubic", "8.5").accepts()).isTrue();
    assertThat(verdict("test_matmulinteger", "8.6")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(verdict("test_relu", "8.4")).isEqualTo(Verdict.COMPATIBLE);
    // Relu-14 (opset 14 test data) is newer than the opset 11 that 7.0 documents: unknown, not a pass
    assertThat(verdict("test_relu", "7.0")).isEqualTo(Verdict.UNKNOWN);
  }

  static Verdict verdict(String test, String release) {
    return reports.get(test).results().stream().filter(r -> r.tensorrt().equals(release)).findFirst().orElseThrow().verdict();
  }

  static void writeReport(List<Row> rows) throws IOException {
    StringBuilder b = new StringBuilder();
    b.append("| TensorRT | list selects | we accept | agreement | op-support exclusions | we reject | agreement | we call compatible | other not selected |\n");
    b.append("|---|---|---|---|---|---|---|---|---|\n");
    Map<String, Integer> allReasons = new LinkedHashMap<>();
    for (Row r : rows) {
      b.append(String.format(Locale.ROOT, "| %s | %d | %d | %.1f%% | %d | %d | %.1f%% | %d | %d |%n", r.release(),
          r.selected(), r.selectedAgree(), 100.0 * r.selectedAgree() / Math.max(1, r.selected()), r.opExcluded(),
          r.opExcludedAgree(), 100.0 * r.opAgreement(), r.opExcludedCompatible(), r.notSelectedOther()));
      r.selectedReasons().forEach((k, v) -> allReasons.merge("selected, we reject: " + k, v, Integer::sum));
      r.opExcludedReasons().forEach((k, v) -> allReasons.merge("op-support exclusion, we accept: " + k, v, Integer::sum));
    }
    b.append("\nDisagreements by reason (all releases; per release in the rows above):\n\n| reason | count |\n|---|---|\n");
    allReasons.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    b.append("\nPer release:\n\n");
    for (Row r : rows) {
      b.append("- ").append(r.release()).append(": ").append(r.selectedReasons()).append(' ').append(r.opExcludedReasons()).append('\n');
    }
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/backend-validation.md"), b.toString());
  }
}
