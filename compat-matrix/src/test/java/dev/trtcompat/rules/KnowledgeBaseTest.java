package dev.trtcompat.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The bundled knowledge base loads, is complete against the operator tables, and keeps the code facts. */
class KnowledgeBaseTest {

  static final Path OPERATORS_TSV = Path.of("src/test/resources/compat-sources/operators.tsv");
  static final Path VERSIONS_TSV = Path.of("src/test/resources/compat-sources/versions.tsv");
  static final KnowledgeBase KB = KnowledgeBase.bundled();

  static Stream<ReleaseRules> releases() {
    return KB.releases().stream();
  }

  /** Table rows per branch: operator to the supported cells (more than one where the table repeats it). */
  static Map<String, Map<String, List<String>>> table() throws IOException {
    Map<String, Map<String, List<String>>> out = new HashMap<>();
    List<String> lines = Files.readAllLines(OPERATORS_TSV);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split("\t", -1);
      out.computeIfAbsent(f[0], k -> new HashMap<>()).computeIfAbsent(f[2], k -> new ArrayList<>()).add(f[3]);
    }
    return out;
  }

  /** Releases whose table is a row key of the shared operators.tsv (the others' tables are read from git). */
  static Stream<ReleaseRules> releasesWithSharedTable() throws IOException {
    Map<String, Map<String, List<String>>> table = table();
    return KB.releases().stream().filter(r -> !r.isDerived() && table.containsKey(r.sources().get(0).branch()));
  }

  @Test
  void loadsEveryReleaseFromSevenToElevenFive() {
    assertThat(KB.releases()).extracting(ReleaseRules::release)
        .containsExactly("7.0", "7.1", "7.2", "8.0", "8.2", "8.4", "8.5", "8.6", "9.0", "9.1", "9.2", "9.3", "10.0", "10.1",
            "10.2", "10.3", "10.4", "10.5", "10.6", "10.7", "10.8", "10.9", "10.10", "10.11", "10.12", "10.13", "10.14",
            "10.15", "10.16", "11.0", "11.1", "11.2", "11.3", "11.4", "11.5");
    assertThat(KB.releases()).filteredOn(ReleaseRules::isDerived).extracting(ReleaseRules::release)
        .containsExactly("10.11", "10.12", "10.13", "11.0", "11.2", "11.3", "11.4", "11.5");
    assertThat(KB.release("10.10.0.31")).map(ReleaseRules::release).hasValue("10.10");
    assertThat(KB.release("8.6.1.6")).map(ReleaseRules::release).hasValue("8.6");
    assertThat(KB.release("10")).map(ReleaseRules::release).hasValue("10.0");
    assertThat(KB.release("6.0")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("releases")
  void statesItsSourcesWithBranchAndFile(ReleaseRules r) {
    assertThat(r.sources()).isNotEmpty();
    List<Source> files = r.sources().stream().filter(s -> s.file() != null).toList();
    assertThat(files).allSatisfy(s -> {
      assertThat(s.url()).startsWith("https://github.com/onnx/onnx-tensorrt/blob/");
      assertThat(s.url()).contains(s.branch()).endsWith(s.file());
    });
    assertThat(files).extracting(Source::file).anyMatch(f -> f.endsWith("operators.md"));
    if (r.read().contains("code")) {
      assertThat(files).extracting(Source::file).anyMatch(f -> f.endsWith("Importers.cpp") || f.endsWith("op_importers.cpp"));
    }
    if (r.isDerived()) {
      // the changelog lines' sources are named; the rest are the base release's documents
      assertThat(r.changelog()).allSatisfy(c -> assertThat(r.sources()).extracting(Source::url).contains(c.source()));
    } else {
      assertThat(r.read()).contains("table");
    }
  }

  @ParameterizedTest
  @MethodSource("releasesWithSharedTable")
  void everyTableOperatorIsPresentWithTheTableFlagUnlessTheCodeDecidedOtherwise(ReleaseRules r) throws IOException {
    String branch = r.sources().get(0).branch();
    Map<String, List<String>> rows = table().get(branch);
    assertThat(rows).as("table rows for branch %s", branch).isNotEmpty();
    rows.forEach((op, flags) -> {
      OperatorRule rule = r.operator(op).orElseThrow(() -> new AssertionError(op + " missing in " + r));
      Resolution res = r.resolutions().stream().filter(x -> x.op().equals(op)).findFirst().orElse(null);
      if (flags.size() == 1 && res == null) {
        Support doc = flags.get(0).startsWith("Y") ? Support.YES : Support.NO;
        assertThat(rule.supported()).as("%s %s", r, op).isEqualTo(doc);
      } else {
        // a duplicate row or a doc/code disagreement: the decision is recorded and is the code's fact
        assertThat(res).as("%s %s needs a recorded resolution", r, op).isNotNull();
        assertThat(rule.supported().json()).isEqualTo(res.decision());
        assertThat(rule.code().registered()).isEqualTo(rule.supported() == Support.YES);
        assertThat(res.evidence()).contains(op).contains(branch);
      }
    });
  }

  @Test
  void hardSwishDuplicateIn84IsResolvedToTheImporterFact() {
    ReleaseRules r = KB.release("8.4").orElseThrow();
    OperatorRule hs = r.operator("HardSwish").orElseThrow();
    assertThat(hs.supported()).isEqualTo(Support.YES);
    assertThat(hs.doc().duplicateRows()).containsExactly("N", "Y");
    assertThat(r.resolutions()).anySatisfy(res -> {
      assertThat(res.op()).isEqualTo("HardSwish");
      assertThat(res.doc()).contains("N").contains("Y");
      assertThat(res.evidence()).contains("DEFINE_BUILTIN_OP_IMPORTER(HardSwish)");
    });
  }

  @Test
  void codeFactsWinOverLaggingTables() {
    // RandomNormal is listed Y in 8.4's table but has no importer on the 8.4-GA branch
    assertThat(op("8.4", "RandomNormal").supported()).isEqualTo(Support.NO);
    // Reciprocal is listed N in 7.x/8.0/8.2 tables but registered in their importers
    assertThat(op("8.2", "Reciprocal").supported()).isEqualTo(Support.YES);
    // If in 7.1: table N, importer present and requires a constant condition
    assertThat(op("7.1", "If").constraints()).anyMatch(c -> c instanceof Constraint.ConstantInput ci && ci.name().equals("cond"));
    // NonZero types come from the importer assert, wider than the table
    assertThat(op("8.5", "NonZero").types()).contains("BOOL", "INT32");
    assertThat(op("8.5", "NonZero").typesFromCode()).isTrue();
  }

  @Test
  void resizeModesFollowTheImporterOfEachRelease() {
    assertThat(allowed("7.0", "Resize", "coordinate_transformation_mode")).containsExactly("asymmetric");
    assertThat(allowed("7.0", "Resize", "nearest_mode")).containsExactly("floor");
    assertThat(allowed("8.4", "Resize", "mode")).containsExactly("nearest", "linear");
    assertThat(allowed("8.5", "Resize", "mode")).containsExactly("nearest", "linear", "cubic");
    assertThat(allowed("10.1", "Resize", "coordinate_transformation_mode")).doesNotContain("tf_crop_and_resize");
    assertThat(op("7.0", "Resize").constraints()).anyMatch(c -> c instanceof Constraint.ConstantInput ci && ci.name().equals("scales"));
    assertThat(op("8.6", "Resize").constraints()).noneMatch(c -> c instanceof Constraint.ConstantInput);
    // 7.0-8.2 take the sizes form on the input count; 8.4+ also test for the null input (no such rule there)
    assertThat(op("8.2", "Resize").constraints()).anyMatch(c -> c instanceof Constraint.ConstantInput ci
        && ci.inputPresence() == Constraint.InputPresence.DECLARED && ci.skippedFor(List.of("x", "roi", "s", "")));
    assertThat(op("8.2", "Resize").constraints()).anyMatch(c -> c instanceof Constraint.DeclaredEmptyInput d
        && d.input() == 3 && d.name().equals("sizes"));
    assertThat(op("8.4", "Resize").constraints()).noneMatch(c -> c instanceof Constraint.DeclaredEmptyInput);
  }

  @Test
  void constantInputsAndLimits() {
    assertThat(op("7.0", "Clip").constraints()).anyMatch(c -> c.id().equals("constant_input.min"));
    assertThat(op("8.6", "Clip").constraints()).noneMatch(c -> c instanceof Constraint.ConstantInput);
    // ConvTranspose W: asserted an initializer up to 8.0 (assertion e30460db00c2); 8.2+ converts a tensor kernel
    assertThat(op("8.0", "ConvTranspose").constraints()).anyMatch(c -> c.id().equals("constant_input.W"));
    assertThat(op("8.6", "ConvTranspose").constraints()).noneMatch(c -> c.id().equals("constant_input.W"));
    assertThat(op("8.6", "CumSum").constraints()).anyMatch(c -> c.id().equals("constant_input.axis"));
    assertThat(op("7.2", "TopK").constraints()).anyMatch(c -> c.id().equals("constant_input.K"));
    assertThat(op("10.1", "TopK").constraints()).anyMatch(c -> c instanceof Constraint.InputValueMax m && m.max() == 3839);
    assertThat(op("8.6", "MaxPool").constraints()).anyMatch(c -> c instanceof Constraint.InputRank r && r.min() == 3 && r.max() == 5)
        .anyMatch(c -> c instanceof Constraint.UnsupportedOutput);
  }

  @Test
  void dataDependentOperatorsAndTheirFirstRelease() {
    assertThat(op("8.4", "NonZero").supported()).isEqualTo(Support.NO);
    assertThat(op("8.5", "NonZero").supported()).isEqualTo(Support.YES);
    assertThat(op("8.5", "NonZero").hasDataDependentOutputShape()).isTrue();
    assertThat(op("7.2", "NonMaxSuppression").supported()).isEqualTo(Support.NO);
    assertThat(op("8.2", "NonMaxSuppression").isExperimental()).isTrue();
    assertThat(op("10.1", "Unique").supported()).isEqualTo(Support.NO);
  }

  @Test
  void modelLevelElementTypes() {
    assertThat(KB.release("8.6").orElseThrow().elementType("INT64")).hasValue(TypePolicy.CAST_DOWN);
    assertThat(KB.release("10.0").orElseThrow().elementType("INT64")).hasValue(TypePolicy.SUPPORTED);
    assertThat(KB.release("8.6").orElseThrow().elementType("DOUBLE")).hasValue(TypePolicy.CAST_DOWN);
    assertThat(KB.release("7.0").orElseThrow().elementType("DOUBLE")).hasValue(TypePolicy.UNSUPPORTED);
    assertThat(KB.release("9.0").orElseThrow().elementType("UINT8")).hasValue(TypePolicy.IO_ONLY);
    assertThat(KB.release("10.0").orElseThrow().elementType("INT4")).hasValue(TypePolicy.QUANTIZED_ONLY);
    assertThat(KB.release("8.6").orElseThrow().elementType("INT8")).hasValue(TypePolicy.QUANTIZED_ONLY);
  }

  @Test
  void tableParsedFromGitAgreesWithTheSharedTranscription() throws IOException {
    // 10.6's table is read from git (release-10.6, 4442153) and was transcribed separately at 0137504: same rows
    Map<String, List<String>> shared = table().get("0137504");
    ReleaseRules r = KB.release("10.6").orElseThrow();
    assertThat(r.sources().get(0).via()).contains("git release-10.6");
    assertThat(shared).hasSize(196);
    shared.forEach((op, flags) -> assertThat(r.operator(op)).as(op).hasValueSatisfying(rule ->
        assertThat(rule.doc().supported()).isEqualTo(flags.get(0))));
    assertThat(r.operators()).hasSize(shared.size());
  }

  @Test
  void opsetRangesOfTheNewerReleases() {
    assertThat(KB.release("10.2").orElseThrow().parser().opsetMax()).isEqualTo(20);
    assertThat(KB.release("10.6").orElseThrow().parser().opsetMax()).isEqualTo(22);
    assertThat(KB.release("10.10").orElseThrow().parser().opsetMax()).isEqualTo(22);
    assertThat(KB.release("10.14").orElseThrow().parser().opsetMax()).isEqualTo(24);
    // derived releases keep their base's documented range: no range is stated for them
    assertThat(KB.release("10.11").orElseThrow().parser().opsetMax()).isEqualTo(22);
    assertThat(KB.release("11.3").orElseThrow().parser().opsetMax()).isEqualTo(24);
    // 11.5's release note names the opset it adds: the one changelog line that moves a derived range
    assertThat(KB.release("11.4").orElseThrow().parser().opsetMax()).isEqualTo(24);
    assertThat(KB.release("11.5").orElseThrow().parser().opsetMax()).isEqualTo(25);
    assertThat(KB.release("10.8").orElseThrow().elementType("FLOAT4E2M1")).hasValue(TypePolicy.QUANTIZED_ONLY);
    assertThat(KB.release("10.7").orElseThrow().elementType("FLOAT4E2M1")).hasValue(TypePolicy.UNSUPPORTED);
  }

  @Test
  void derivedReleasesAreTheirBasePlusTheChangelog() {
    ReleaseRules r112 = KB.release("11.2").orElseThrow();
    assertThat(r112.status()).isEqualTo(ReleaseRules.Status.DERIVED);
    assertThat(r112.derivedFrom()).isEqualTo("11.1");
    assertThat(r112.read()).isEmpty();
    assertThat(r112.notes()).anyMatch(n -> n.startsWith("derived:"));
    assertThat(op("11.1", "DFT").supported()).isEqualTo(Support.NO);
    assertThat(op("11.2", "DFT").supported()).isEqualTo(Support.YES);
    assertThat(op("11.1", "GridSample").constraints()).anyMatch(c -> c instanceof Constraint.InputRank ir && ir.max() == 4);
    assertThat(op("11.2", "GridSample").constraints()).anyMatch(c -> c instanceof Constraint.InputRank ir && ir.max() == 5);
    assertThat(r112.changelog()).anySatisfy(c -> {
      assertThat(c.source()).isEqualTo("https://github.com/onnx/onnx-tensorrt/pull/1061");
      assertThat(c.effect()).isEqualTo("DFT: supported no -> yes");
    });
    // 11.0: 10.16 plus Swish; 10.16's table has no Swish row
    assertThat(KB.release("10.16").orElseThrow().operator("Swish")).isEmpty();
    assertThat(op("11.0", "Swish").supported()).isEqualTo(Support.YES);
    // 10.12: integer Pow bases, from the changelog (a changelog type list is never an importer fact)
    assertThat(op("10.12", "Pow").types()).contains("INT32", "INT64");
    assertThat(op("10.12", "Pow").typesFromCode()).isFalse();
    assertThat(op("10.11", "Pow").types()).doesNotContain("INT32");
    // the importer was not read for a derived release: no registration is claimed
    assertThat(KB.release("10.13").orElseThrow().operators()).allSatisfy(o ->
        assertThat(o.code() == null || o.code().registered() == null).isTrue());
    // 11.3 and 11.4 name only refit API changes: recorded, no rule moves
    assertThat(KB.release("11.3").orElseThrow().changelog()).singleElement()
        .satisfies(c -> assertThat(c.effect()).isEqualTo("no rule change"));
    assertThat(KB.release("11.4").orElseThrow().operators())
        .extracting(o -> o.op() + " " + o.supported() + " " + o.constraints() + " " + o.types())
        .isEqualTo(KB.release("11.3").orElseThrow().operators().stream()
            .map(o -> o.op() + " " + o.supported() + " " + o.constraints() + " " + o.types()).toList());
    assertThat(KB.release("11.5").orElseThrow().changelog()).extracting(c -> c.effect())
        .containsExactly("parser opset range: up to 24 -> up to 25", "no rule change");
  }

  @Test
  void tableOnlyReleasesTakeSupportFromTheTable() {
    ReleaseRules r = KB.release("10.14").orElseThrow();
    assertThat(r.status()).isEqualTo(ReleaseRules.Status.SOURCE);
    assertThat(r.read()).containsExactly("table");
    assertThat(op("10.14", "Attention").supported()).isEqualTo(Support.YES);
    assertThat(KB.release("10.10").orElseThrow().operator("Attention")).isEmpty();
    assertThat(op("10.15", "RMSNormalization").supported()).isEqualTo(Support.YES);
    assertThat(r.notes()).anyMatch(n -> n.contains("not read"));
  }

  @ParameterizedTest
  @MethodSource("releasesWithSharedTable")
  void opsetRangeMatchesTheVersionsTable(ReleaseRules r) throws IOException {
    String branch = r.sources().get(0).branch();
    String row = Files.readAllLines(VERSIONS_TSV).stream().filter(l -> l.split("\t")[1].equals(branch)).findFirst()
        .orElseThrow(() -> new AssertionError("no versions.tsv row for " + branch));
    assertThat(r.parser().opsetMax()).isEqualTo(Integer.parseInt(row.split("\t", -1)[3]));
    assertThat(r.parser().opsetMin()).isEqualTo(7);
  }

  @Test
  void onnxAndPytorchOpsetFacts() {
    assertThat(KB.opsetFacts().onnx()).anySatisfy(o -> {
      assertThat(o.onnx()).isEqualTo("1.12");
      assertThat(o.opset()).isEqualTo(17);
      assertThat(o.irVersion()).isEqualTo(8);
    });
    assertThat(KB.opsetFacts().pytorch()).allSatisfy(p -> assertThat(p.source()).startsWith("https://github.com/pytorch/pytorch/blob/v"));
    assertThat(KB.opsetFacts().pytorch()).anySatisfy(p -> {
      assertThat(p.torch()).isEqualTo("1.13");
      assertThat(p.opsetMax()).isEqualTo(17);
    });
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx", "Squeeze", 17)).isEqualTo(13);
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx", "Squeeze", 12)).isEqualTo(11);
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx", "NoSuchOp", 17)).isEqualTo(-1);
    // the history is read from the ONNX sources (tools/onnx_schema_history.py), past python3-onnx 1.12's opset 17
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx", "Resize", 25)).isEqualTo(19);
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx", "Resize", 18)).isEqualTo(18);
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx", "GroupNormalization", 21)).isEqualTo(21);
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx", "Squeeze", 24)).isEqualTo(24);
    assertThat(KB.onnxOperators().schemaVersion("ai.onnx.ml", "TreeEnsemble", 5)).isEqualTo(5);
    assertThat(KB.opsetFacts().onnx()).anySatisfy(o -> {
      assertThat(o.onnx()).isEqualTo("1.20");
      assertThat(o.opset()).isEqualTo(25);
    });
  }

  @Test
  void loaderRejectsABrokenFile() {
    ReleaseRules bad = new ReleaseRules("8.6", ReleaseRules.Status.SOURCE, List.of("table"), null, null, List.of(), null,
        "unsupported", false, false, Map.of(), List.of(), List.of(), List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesValidator.validate("tensorrt-8.6.json", bad))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("sources");
    OperatorRule dup = new OperatorRule("Relu", Support.YES, null, null, null, List.of(), null, null, null, null);
    ReleaseRules twice = new ReleaseRules("8.6", ReleaseRules.Status.SOURCE, List.of("table"), null, null,
        KB.release("8.6").orElseThrow().sources(),
        KB.release("8.6").orElseThrow().parser(), "unsupported", false, false,
        Map.of("FLOAT", TypePolicy.SUPPORTED, "INT64", TypePolicy.CAST_DOWN), List.of(dup, dup), List.of(), List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesValidator.validate("tensorrt-8.6.json", twice))
        .hasMessageContaining("listed twice");
    ReleaseRules base = KB.release("8.6").orElseThrow();
    ReleaseRules derivedWithoutBase = new ReleaseRules("8.6", ReleaseRules.Status.DERIVED, List.of(), null, List.of(),
        base.sources(), base.parser(), "unsupported", false, false, base.elementTypes(), List.of(), List.of(), List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesValidator.validate("tensorrt-8.6.json", derivedWithoutBase))
        .hasMessageContaining("derivedFrom");
    ReleaseRules noStatus = new ReleaseRules("8.6", null, List.of("table"), null, null, base.sources(), base.parser(),
        "unsupported", false, false, base.elementTypes(), List.of(), List.of(), List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesValidator.validate("tensorrt-8.6.json", noStatus))
        .hasMessageContaining("status");
    ReleaseRules forward = new ReleaseRules("8.6", ReleaseRules.Status.DERIVED, List.of(), "9.0", List.of(),
        base.sources(), base.parser(), "unsupported", false, false, base.elementTypes(), List.of(), List.of(), List.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RulesValidator.validateOrder(List.of(forward)))
        .hasMessageContaining("earlier release");
  }

  static OperatorRule op(String release, String op) {
    return KB.release(release).orElseThrow().operator(op).orElseThrow();
  }

  static List<String> allowed(String release, String op, String attribute) {
    return op(release, op).constraints().stream()
        .filter(c -> c instanceof Constraint.AttributeValues av && av.attribute().equals(attribute))
        .map(c -> ((Constraint.AttributeValues) c).allowed()).findFirst().orElseThrow();
  }
}
