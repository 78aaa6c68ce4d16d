package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Model-level and node-level rules on small models built in code. */
class CompatibilityCheckerTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  static ReleaseResult result(OnnxModel m, String release) {
    return CHECKER.check(m, List.of(release)).results().get(0);
  }

  static OnnxModel relu(Object... dims) {
    return read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, dims)).addOutput(tensor("y", FLOAT, dims))
        .addNode(node("Relu", "relu", in("x"), in("y")))).build());
  }

  @Test
  void staticReluIsCompatibleEverywhereFromOpset13Parsers() {
    CompatibilityReport r = CHECKER.check(relu(1L, 3L, 8L, 8L));
    assertThat(r.results()).hasSize(CHECKER.knowledgeBase().releases().size());
    assertThat(r.results()).filteredOn(x -> !x.tensorrt().startsWith("7.0") && !x.tensorrt().startsWith("7.1"))
        .allSatisfy(x -> assertThat(x.verdict()).isEqualTo(Verdict.COMPATIBLE));
    // Relu-13 is newer than 7.0/7.1's documented opset 11: not a silent pass
    assertThat(result(relu(1L, 3L), "7.0").verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void nodeSchemasNewerThanOpset17AreNamedPerOperator() {
    // Resize-19 and GroupNormalization-21 come from ONNX's own registrations (opset 18+): 8.6 documents up to 17
    OnnxModel opset21 = read(model(21, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 4L, 8L, 8L)).addOutput(tensor("y", FLOAT, 1L, 4L, 8L, 8L))
        .addInitializer(floats("scale", FLOAT, 4L)).addInitializer(floats("bias", FLOAT, 4L))
        .addNode(node("GroupNormalization", "gn", in("x", "scale", "bias"), in("g"), attr("num_groups", 2L)))
        .addNode(node("Relu", "relu", in("g"), in("y")))).build());
    ReleaseResult r = result(opset21, "8.6");
    assertThat(r.findings()).filteredOn(f -> f.rule().equals("op.schema_newer_than_parser.unknown"))
        .singleElement().satisfies(f -> assertThat(f.message()).startsWith("GroupNormalization-21 (selected by opset 21)")
            .contains("up to 17"));
    // Relu's schema (14) is within 8.6's range: only the model-level opset finding speaks for it
    assertThat(r.findings()).noneMatch(f -> f.rule().equals("op.schema_newer_than_parser.unknown")
        && f.message().startsWith("Relu"));
  }

  @Test
  void opsetNewerThanTheReleasesParserIsUnknownNamingBothNumbers() {
    // Relu's schema is unchanged since opset 14, so only the model-level opset decides
    OnnxModel opset25 = read(model(25, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 3L)).addOutput(tensor("y", FLOAT, 1L, 3L))
        .addNode(node("Relu", "relu", in("x"), in("y")))).build());
    ReleaseResult r = result(opset25, "10.16");
    assertThat(r.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(r.findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("parser.opset_newer_than_parser.unknown");
      assertThat(f.message()).contains("opset 25").contains("TensorRT 10.16").contains("up to opset 24");
      assertThat(f.fix()).contains("opset 24");
    });
    // the same model at opset 24 is within 10.16's range
    OnnxModel opset24 = read(model(24, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 3L)).addOutput(tensor("y", FLOAT, 1L, 3L))
        .addNode(node("Relu", "relu", in("x"), in("y")))).build());
    assertThat(result(opset24, "10.16").verdict()).isEqualTo(Verdict.COMPATIBLE);
    assertThat(result(opset24, "10.10").verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void resultsSayWhetherTheReleaseWasReadOrDerived() throws Exception {
    CompatibilityReport r = CHECKER.check(relu(1L, 3L), List.of("10.10", "10.11"));
    assertThat(r.results().get(0).derived()).isFalse();
    assertThat(r.results().get(1).derived()).isTrue();
    assertThat(r.results().get(1).derivedFrom()).isEqualTo("10.10");
    JsonNode j = Json.mapper().readTree(Json.mapper().writeValueAsString(r));
    assertThat(j.get("results").get(0).get("status").asText()).isEqualTo("source");
    assertThat(j.get("results").get(0).has("derivedFrom")).isFalse();
    assertThat(j.get("results").get(1).get("status").asText()).isEqualTo("derived");
    assertThat(j.get("results").get(1).get("derivedFrom").asText()).isEqualTo("10.10");
  }

  @Test
  void dynamicInputDimsAreNamed() {
    ReleaseResult r = result(relu("batch", 3L, "h", 8L), "8.6");
    assertThat(r.verdict()).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
    assertThat(r.findings()).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo("input.dynamic_shape");
      assertThat(f.message()).contains("'x'").contains("0 ('batch')").contains("2 ('h')");
      assertThat(f.fix()).contains("--minShapes/--optShapes/--maxShapes for input 'x'");
      assertThat(f.node()).isNull();
    });
  }

  @Test
  void subgraphNodesReportPathAndEnclosingTopLevelIndex() {
    GraphProto body = GraphProto.newBuilder().setName("body")
        .addInput(tensor("i", INT64)).addInput(tensor("c", 9)).addInput(tensor("s_in", FLOAT, 4L))
        .addOutput(tensor("c_out", 9)).addOutput(tensor("s_out", FLOAT, 4L)).addOutput(tensor("nz", INT64, 1L, "n"))
        .addNode(node("Identity", "id", in("c"), in("c_out")))
        .addNode(node("Identity", "id2", in("s_in"), in("s_out")))
        .addNode(node("NonZero", "nonzero_in_body", in("s_in"), in("nz"))).build();
    OnnxModel m = read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 4L)).addOutput(tensor("y", FLOAT, 4L)).addOutput(tensor("scan", INT64, "k", 1L, "n"))
        .addInitializer(int64s("trip", 3))
        .addNode(node("Relu", "first", in("x"), in("r")))
        .addNode(node("Loop", "loop", in("trip", "", "r"), in("y", "scan"), attr("body", body)))).build());
    ReleaseResult r84 = result(m, "8.4");
    assertThat(r84.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(r84.findings()).anySatisfy(f -> {
      assertThat(f.op()).isEqualTo("NonZero");
      assertThat(f.nodeIndex()).isEqualTo(1);
      assertThat(f.path()).isEqualTo("loop/body/nonzero_in_body");
      assertThat(f.node()).isEqualTo("nonzero_in_body");
    });
    assertThat(result(m, "8.5").findings()).noneMatch(f -> f.severity() == Severity.ERROR);
  }

  /** Nameless nodes are named {@code Op_index} in their own graph, built only for the findings that name them. */
  @Test
  void namelessNodesAreNamedByOpAndIndexInTheirOwnGraph() {
    GraphProto body = GraphProto.newBuilder().setName("body")
        .addInput(tensor("i", INT64)).addInput(tensor("c", 9)).addInput(tensor("s_in", FLOAT, 4L))
        .addOutput(tensor("c_out", 9)).addOutput(tensor("s_out", FLOAT, 4L)).addOutput(tensor("nz", INT64, 1L, "n"))
        .addNode(node("Identity", "", in("c"), in("c_out")))
        .addNode(node("Identity", "", in("s_in"), in("s_out")))
        .addNode(node("NonZero", "", in("s_in"), in("nz"))).build();
    OnnxModel m = read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 4L)).addOutput(tensor("y", FLOAT, 4L)).addOutput(tensor("scan", INT64, "k", 1L, "n"))
        .addOutput(tensor("top_nz", INT64, 1L, "m"))
        .addInitializer(int64s("trip", 3))
        .addNode(node("NonZero", "", in("x"), in("top_nz")))
        .addNode(node("Relu", "", in("x"), in("r")))
        .addNode(node("Loop", "", in("trip", "", "r"), in("y", "scan"), attr("body", body)))).build());
    List<Finding> nonZero = result(m, "8.4").findings().stream().filter(f -> "NonZero".equals(f.op())).toList();
    assertThat(nonZero).extracting(Finding::node, Finding::path, Finding::nodeIndex).contains(
        tuple("NonZero_0", "NonZero_0", 0), tuple("NonZero_2", "Loop_2/body/NonZero_2", 2));
  }

  @Test
  void customDomainOpsNeedAPlugin() {
    OnnxModel m = read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 4L)).addOutput(tensor("y", FLOAT, 1L, 4L))
        .addNode(node("FancyOp", "fancy", in("x"), in("y")).toBuilder().setDomain("com.acme").build()))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("com.acme").setVersion(1)).build());
    assertThat(result(m, "7.2").findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("domain.plugin_required.unknown");
      assertThat(f.op()).isEqualTo("com.acme:FancyOp");
      assertThat(f.fix()).contains("plugin named 'FancyOp'");
    });
    assertThat(result(m, "8.6").verdict()).isEqualTo(Verdict.UNKNOWN);
    // 7.0's parser has no fallback plugin importer
    assertThat(result(m, "7.0").findings()).anyMatch(f -> f.rule().equals("domain.unsupported"));
  }

  @Test
  void unknownDefaultDomainOpIsUnsupportedEverywhere() {
    OnnxModel m = read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 2L)).addOutput(tensor("y", FLOAT, 2L))
        .addNode(node("NoSuchOperator", "n0", in("x"), in("y")))).build());
    ReleaseResult r = result(m, "10.1");
    assertThat(r.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(r.findings()).anySatisfy(f -> assertThat(f.fix()).contains("no TensorRT release in the knowledge base imports"));
  }

  /** x[1,3,8,8] -> Shape -> Gather(idx) -> Unsqueeze -> Concat: the exporter's shape arithmetic. */
  static OnnxModel shapeChainAsSqueezeAxes(Object batch) {
    return read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, batch, 1L, 8L, 1L)).addOutput(tensor("y", FLOAT, batch, 8L))
        .addInitializer(int64s("one", 1)).addInitializer(int64s("zero_axis", 0)).addInitializer(int64s("three", 3))
        .addNode(node("Shape", "shape", in("x"), in("s")))
        .addNode(node("Gather", "gather", in("s", "one"), in("g"), attr("axis", 0)))
        .addNode(node("Sub", "sub", in("three", "g"), in("two")))
        .addNode(node("Concat", "concat", in("g", "two"), in("axes"), attr("axis", 0)))
        .addNode(node("Squeeze", "squeeze", in("x", "axes"), in("y")))).build());
  }

  @Test
  void foldableShapeChainsCountAsConstants() {
    // static shape: the chain folds to [1, 2]; 8.6 wants an initializer, so it is a warning with a fold hint
    ReleaseResult folded = result(shapeChainAsSqueezeAxes(1L), "8.6");
    assertThat(folded.verdict()).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
    assertThat(folded.findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("constant_input.axes");
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.fix()).contains("fold-constants");
    });
    // a dynamic batch makes Shape a run-time value; axes cannot be known at build time
    ReleaseResult dynamic = result(shapeChainAsSqueezeAxes("batch"), "8.6");
    assertThat(dynamic.findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("constant_input.axes");
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
    });
  }

  @Test
  void constantFoldingComputesShapeValues() {
    ModelIndex ix = ModelIndex.of(shapeChainAsSqueezeAxes(1L));
    assertThat(ix.fact("s").values()).containsExactly(1, 1, 8, 1);
    assertThat(ix.fact("g").values()).containsExactly(1);
    assertThat(ix.fact("axes").values()).containsExactly(1, 2);
    assertThat(ix.fact("axes").origin()).isEqualTo(TensorFact.Origin.FOLDABLE);
  }

  static OnnxModel clipWithRuntimeMin() {
    return read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 4L)).addInput(tensor("lo", FLOAT)).addOutput(tensor("y", FLOAT, 1L, 4L))
        .addNode(node("Clip", "clip", in("x", "lo"), in("y")))).build());
  }

  @Test
  void clipBoundsMustBeInitializersBefore80() {
    ReleaseResult r72 = result(clipWithRuntimeMin(), "7.2");
    assertThat(r72.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(r72.findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("constant_input.min");
      assertThat(f.nodeIndex()).isZero();
      assertThat(f.message()).contains("'lo'");
    });
    assertThat(result(clipWithRuntimeMin(), "8.6").verdict()).isEqualTo(Verdict.COMPATIBLE);
  }

  static OnnxModel topK(long k) {
    return read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 8000L)).addOutput(tensor("v", FLOAT, 1L, k)).addOutput(tensor("i", INT64, 1L, k))
        .addInitializer(int64s("k", k))
        .addNode(node("TopK", "topk", in("x", "k"), in("v", "i")))).build());
  }

  @Test
  void topKLimitFrom10() {
    assertThat(result(topK(5000), "10.1").findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("input_value_max.K");
      assertThat(f.message()).contains("5000").contains("3839");
    });
    assertThat(result(topK(100), "10.1").findings()).noneMatch(f -> f.severity() == Severity.ERROR);
  }

  @Test
  void resizeCubicNeeds85AndNearestModeFloorIn7() {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 3L, 4L, 4L)).addOutput(tensor("y", FLOAT, 1L, 3L, 8L, 8L))
        .addInitializer(floats("roi", FLOAT, 0)).addInitializer(int64s("sizes", 1, 3, 8, 8))
        .addNode(node("Resize", "up", in("x", "roi", "", "sizes"), in("y"), attr("mode", "cubic")));
    OnnxModel cubic = read(model(13, g).build());
    assertThat(result(cubic, "8.4").findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("attribute_values.mode");
      assertThat(f.message()).contains("cubic");
    });
    // INT64 sizes initializer: cast to INT32 before 10.0 (a warning), nothing else
    assertThat(result(cubic, "8.5").verdict()).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
    assertThat(result(cubic, "10.0").verdict()).isEqualTo(Verdict.COMPATIBLE);
  }

  @Test
  void localFunctionsAreExpandedFrom90() {
    OnnxModel m = read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 4L)).addOutput(tensor("y", FLOAT, 4L))
        .addNode(node("MyAct", "act", in("x"), in("y")).toBuilder().setDomain("local").build()))
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("local").setVersion(1))
        .addFunctions(function("local", "MyAct", in("a"), in("b"),
            node("Relu", "inner", in("a"), in("t")), node("NonZero", "nz", in("t"), in("b")))).build());
    assertThat(result(m, "8.6").findings()).anyMatch(f -> f.rule().equals("function.not_expanded"));
    ReleaseResult r90 = result(m, "9.0");
    assertThat(r90.findings()).noneMatch(f -> f.rule().equals("function.not_expanded"));
    assertThat(r90.findings()).anySatisfy(f -> assertThat(f.path()).isEqualTo("act/MyAct/nz"));
  }

  @Test
  void doubleWeightsAreCastDownFrom72AndRejectedBefore() {
    OnnxModel m = read(model(11, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 2L)).addOutput(tensor("y", FLOAT, 2L))
        .addInitializer(floats("w", DOUBLE, 2))
        .addNode(node("Cast", "cast", in("w"), in("wf"), attr("to", 1)))
        .addNode(node("Add", "add", in("x", "wf"), in("y")))).build());
    assertThat(result(m, "7.0").findings()).anyMatch(f -> f.rule().equals("type.unsupported") && f.message().contains("'w'"));
    assertThat(result(m, "8.6").findings()).anyMatch(f -> f.rule().equals("type.cast_down.double"));
    assertThat(result(m, "8.6").verdict()).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
  }

  @Test
  void jsonHasTheDocumentedShape() throws Exception {
    CompatibilityReport r = CHECKER.check(clipWithRuntimeMin());
    JsonNode j = Json.mapper().readTree(Json.mapper().writeValueAsString(r));
    assertThat(j.get("model").get("nodeCount").asInt()).isEqualTo(1);
    assertThat(j.get("results")).hasSize(CHECKER.knowledgeBase().releases().size());
    JsonNode r72 = j.get("results").get(2);
    assertThat(r72.get("tensorrt").asText()).isEqualTo("7.2");
    assertThat(r72.get("verdict").asText()).isEqualTo("incompatible");
    JsonNode f = null;
    for (JsonNode x : r72.get("findings")) {
      if (x.get("severity").asText().equals("error")) {
        f = x;
      }
    }
    assertThat(f).isNotNull();
    assertThat(f.fieldNames()).toIterable()
        .containsExactly("severity", "node", "nodeIndex", "op", "path", "rule", "message", "fix");
    assertThat(f.get("nodeIndex").asInt()).isZero();
    assertThat(j.get("opsetAdvice").get("modelOpset").asInt()).isEqualTo(13);
  }

  @Test
  void releaseSelectionIsOrderedAndValidated() {
    CompatibilityReport r = CHECKER.check(relu(1L), List.of("10.0", "7.2", "8.6.1"));
    assertThat(r.results()).extracting(ReleaseResult::tensorrt).containsExactly("7.2", "8.6", "10.0");
    assertThatThrownBy(() -> CHECKER.check(relu(1L), List.of("6.0")))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("known releases");
    assertThatThrownBy(() -> CHECKER.check(relu(1L), List.of("10.99")))
        .isInstanceOfSatisfying(UserFacingException.class, e -> {
          assertThat(e.kind()).isEqualTo(UserFacingException.Kind.BAD_REQUEST);
          assertThat(e.detail()).contains("TensorRT 10.99 is not in the knowledge base")
              .contains("7.0, 7.1, 7.2").contains("10.9, 10.10, 10.11").contains("11.3");
        });
  }
}
