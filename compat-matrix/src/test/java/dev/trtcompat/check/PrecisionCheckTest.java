package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.precision.Gpu;
import dev.trtcompat.precision.PrecisionFacts;
import dev.trtcompat.rules.OperatorRule;
import dev.trtcompat.rules.ParserFacts;
import dev.trtcompat.rules.ReleaseRules;
import dev.trtcompat.rules.Source;
import dev.trtcompat.rules.Support;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Per-precision verdicts and the GPU filter on tiny models, release by release. */
class PrecisionCheckTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();
  static final int INT8 = 3;
  static final int FLOAT8E4M3FN = 17;

  static ReleaseResult result(OnnxModel m, String release) {
    return CHECKER.check(m, List.of(release)).results().get(0);
  }

  static List<String> rules(PrecisionResult p) {
    return p.findings().stream().map(Finding::rule).toList();
  }

  static OnnxModel relu() {
    return read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 8L)).addOutput(tensor("y", FLOAT, 1L, 8L))
        .addNode(node("Relu", "relu", in("x"), in("y")))).build());
  }

  static TensorProto bytes(String name, int type, byte... values) {
    return TensorProto.newBuilder().setName(name).setDataType(type).setRawData(ByteString.copyFrom(values)).build();
  }

  static TensorProto scale(String name, float value) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat(value);
    return TensorProto.newBuilder().setName(name).setDataType(FLOAT).setRawData(ByteString.copyFrom(b.array()))
        .build();
  }

  /** x -> QuantizeLinear(s, qzp) -> DequantizeLinear(s, dzp) -> y, per-tensor, zero points of {@code zpType}. */
  static OnnxModel qdq(long opset, int zpType, byte quantizeZero, byte dequantizeZero) {
    return read(model(opset, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 8L)).addOutput(tensor("y", FLOAT, 1L, 8L))
        .addInitializer(scale("s", 0.05f))
        .addInitializer(bytes("qzp", zpType, quantizeZero))
        .addInitializer(bytes("dzp", zpType, dequantizeZero))
        .addNode(node("QuantizeLinear", "q", in("x", "s", "qzp"), in("xq")))
        .addNode(node("DequantizeLinear", "dq", in("xq", "s", "dzp"), in("y")))).build());
  }

  @ParameterizedTest(name = "TensorRT {0}: INT8 without Q/DQ is placeholder scales; Relu INT8 fallback {1}")
  @CsvSource({"7.0,false", "7.2,false", "8.0,false", "8.6,false", "9.0,false", "9.3,false", "10.0,true",
      "10.1,true"})
  void int8WithoutQdqCarriesThePlaceholderNoteAndTableFallbacks(String release, boolean relu8Fallback) {
    ReleaseResult r = result(relu(), release);
    assertThat(r.precisions()).containsOnlyKeys("fp32", "fp16", "int8");
    PrecisionResult int8 = r.precisions().get("int8");
    assertThat(int8.findings()).filteredOn(f -> f.rule().equals("int8.placeholder_scales")).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("timings are real, the accuracy is meaningless"));
    assertThat(int8.verdict()).isIn(Verdict.COMPATIBLE_WITH_WARNINGS, Verdict.UNKNOWN);
    assertThat(rules(r.precisions().get("fp32"))).isEmpty();
    assertThat(rules(r.precisions().get("fp16"))).doesNotContain("int8.placeholder_scales");
    assertThat(rules(int8).contains("precision.int8_fallback")).isEqualTo(relu8Fallback);
    if (relu8Fallback) {
      assertThat(int8.findings()).filteredOn(f -> f.rule().equals("precision.int8_fallback")).singleElement()
          .satisfies(f -> {
            assertThat(f.node()).isEqualTo("relu");
            assertThat(f.message()).contains("Relu runs in FP16/FP32").contains("(1 node: relu)");
          });
      assertThat(int8.sources()).anyMatch(u -> u.endsWith("docs/operators.md (row Relu)"));
    }
    // the parse verdict stays the release-level verdict
    assertThat(r.precisions().get("fp32").verdict()).isEqualTo(r.verdict());
  }

  @Test
  void fp16FallbackNamesTheNodesUnderFp16Only() {
    // The bundled tables list FLOAT16 for every floating-point operator from 8.0 to 10.1, so the rule is shown on
    // a release file whose Relu row lists FLOAT only.
    OperatorRule reluFp32Only = new OperatorRule("Relu", Support.YES, null, List.of("FLOAT"), "doc", List.of(),
        null, new OperatorRule.DocFact("Y", "FP32", null, null), new OperatorRule.CodeFact(true, null), null);
    ReleaseRules rel = new ReleaseRules("8.6", ReleaseRules.Status.SOURCE, List.of("table"), null, null,
        List.of(new Source("operator table",
        "https://github.com/onnx/onnx-tensorrt/blob/8.6-GA/docs/operators.md", "8.6-GA", "docs/operators.md", null)),
        new ParserFacts(7, null, 17, null), "unsupported", true, true, Map.of(), List.of(reluFp32Only), List.of(),
        List.of());
    ModelIndex ix = ModelIndex.of(relu());
    ReleaseResult parse = ReleaseResult.of(rel, List.of());
    Map<String, PrecisionResult> cols =
        new PrecisionCheck(PrecisionFacts.bundled()).check(rel, ix, QdqIndex.of(ix), parse);
    assertThat(cols.get("fp16").findings()).filteredOn(f -> f.rule().equals("precision.fp16_fallback"))
        .singleElement().satisfies(f -> {
          assertThat(f.message()).contains("Relu runs in FP32 in an FP16 build").contains("relu");
          assertThat(f.nodeIndex()).isZero();
        });
    assertThat(cols.get("fp16").verdict()).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
    assertThat(rules(cols.get("fp32"))).isEmpty();
    assertThat(cols.get("fp32").verdict()).isEqualTo(Verdict.COMPATIBLE);
  }

  @ParameterizedTest(name = "TensorRT {0}: non-zero DequantizeLinear zero point -> {1}")
  @CsvSource({"8.0,incompatible", "8.2,incompatible", "8.6,incompatible", "9.0,incompatible", "9.3,incompatible",
      "10.0,incompatible", "10.1,incompatible"})
  void nonZeroInt8ZeroPointIsIncompatibleWhereTheImporterAssertsIt(String release, String expected) {
    ReleaseResult r = result(qdq(13, INT8, (byte) 0, (byte) 3), release);
    for (PrecisionResult p : r.precisions().values()) {
      assertThat(p.verdict().json()).isEqualTo(expected);
      assertThat(p.findings()).noneMatch(f -> f.rule().equals("int8.placeholder_scales"));
    }
    assertThat(r.precisions().get("int8").sources()).anyMatch(u -> u.contains("onnx-tensorrt"));
  }

  @Test
  void cleanInt8QdqHasNoPlaceholderFromEightButIsScaleLayersOnSeven() {
    OnnxModel m = qdq(13, INT8, (byte) 0, (byte) 0);
    PrecisionResult on86 = result(m, "8.6").precisions().get("int8");
    assertThat(rules(on86)).doesNotContain("int8.placeholder_scales", "qdq.zero_point_nonzero");
    assertThat(on86.verdict().accepts()).isTrue();
    PrecisionResult on72 = result(m, "7.2").precisions().get("int8");
    assertThat(rules(on72)).contains("qdq.not_explicit", "int8.placeholder_scales");
    assertThat(CHECKER.check(m, List.of("8.6")).quantization()).isEqualTo(new Quantization(2, List.of("INT8")));
  }

  @ParameterizedTest(name = "TensorRT {0}: a run-time QuantizeLinear zero point is left to the builder")
  @CsvSource({"8.6", "9.1", "10.0", "10.10"})
  void runTimeZeroPointIsAWarningNotAParseError(String release) {
    // every 8.0+ helper hands a zero point it cannot read as weights to the layer (convertToTensor(inputs.at(2)))
    OnnxModel m = read(model(13, GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 8L)).addInput(tensor("zp", INT8)).addOutput(tensor("y", FLOAT, 1L, 8L))
        .addInitializer(scale("s", 0.05f)).addInitializer(bytes("dzp", INT8, (byte) 0))
        .addNode(node("QuantizeLinear", "q", in("x", "s", "zp"), in("xq")))
        .addNode(node("DequantizeLinear", "dq", in("xq", "s", "dzp"), in("y")))).build());
    ReleaseResult r = result(m, release);
    assertThat(r.findings()).filteredOn(f -> f.rule().equals("input_all_zero.y_zero_point")).singleElement()
        .satisfies(f -> {
          assertThat(f.severity()).isEqualTo(Severity.WARNING);
          assertThat(f.message()).contains("computed at run time").contains("passes it to the layer unchecked");
        });
    // (the graph input 'zp' is INT8 I/O, an error of its own: only the zero-point rule is asserted here)
    assertThat(r.findings()).noneMatch(f -> f.rule().startsWith("input_all_zero") && f.severity() == Severity.ERROR);
  }

  @ParameterizedTest(name = "TensorRT {0}: a non-zero QuantizeLinear zero point is {1}")
  @CsvSource({"8.6,refused", "9.0,dropped", "9.1,refused", "9.2,dropped", "9.3,refused", "10.0,refused"})
  void nonZeroQuantizeZeroPointIsDroppedWhereTheCheckIsDequantizeOnly(String release, String outcome) {
    // 9.0 and 9.2 guard the all-zero assert with 'kINT8 && isDQ'; 8.6, 9.1, 9.3 and 10.x check both operators
    ReleaseResult r = result(qdq(13, INT8, (byte) 5, (byte) 0), release);
    PrecisionResult p = r.precisions().get("int8");
    if (outcome.equals("dropped")) {
      assertThat(rules(p)).contains("qdq.zero_point_ignored");
      assertThat(r.verdict()).isNotEqualTo(Verdict.INCOMPATIBLE);
      assertThat(r.findings()).anySatisfy(f -> {
        assertThat(f.rule()).isEqualTo("input_all_zero.y_zero_point");
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
        assertThat(f.message()).contains("drops a constant y_zero_point");
      });
    } else {
      assertThat(rules(p)).doesNotContain("qdq.zero_point_ignored");
      assertThat(p.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
      assertThat(r.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    }
  }

  @ParameterizedTest(name = "TensorRT {0}: FP8 Q/DQ importer {1}")
  @CsvSource({"8.4,true", "8.6,true", "9.0,false", "10.1,false"})
  void fp8QdqIsRefusedBeforeNine(String release, boolean refused) {
    ReleaseResult r = result(qdq(19, FLOAT8E4M3FN, (byte) 0, (byte) 0), release);
    for (PrecisionResult p : r.precisions().values()) {
      assertThat(rules(p).contains("qdq.type_unsupported")).isEqualTo(refused);
      if (refused) {
        assertThat(p.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
        assertThat(p.findings()).filteredOn(f -> f.rule().equals("qdq.type_unsupported")).first()
            .satisfies(f -> assertThat(f.message()).contains("FLOAT8E4M3FN from TensorRT 9.0"));
      } else {
        assertThat(p.verdict()).isNotEqualTo(Verdict.INCOMPATIBLE);
      }
    }
  }

  @Test
  void fp8QdqFailsOnAGpuBelowSm89AndNotOnAda() {
    GpuFilter filter = CHECKER.gpuFilter();
    OnnxModel m = qdq(19, FLOAT8E4M3FN, (byte) 0, (byte) 0);
    ReleaseResult onA10 = CHECKER.check(m, List.of("10.1"), filter.resolve("A10")).results().get(0);
    assertThat(onA10.gpu().status()).isEqualTo(GpuSupport.Status.SUPPORTED);
    for (PrecisionResult p : onA10.precisions().values()) {
      assertThat(p.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
      assertThat(p.findings()).anySatisfy(f -> {
        assertThat(f.rule()).isEqualTo("gpu.precision_unavailable");
        assertThat(f.message()).contains("A10 (sm_86)").contains("FP8 Q/DQ");
      });
      assertThat(p.assumes()).isEqualTo("A10 (sm_86)");
    }
    ReleaseResult onL4 = CHECKER.check(m, List.of("10.1"), filter.resolve("L4")).results().get(0);
    assertThat(onL4.precisions().values()).allSatisfy(p -> assertThat(p.verdict().accepts()).isTrue());
  }

  @Test
  void gpuFilterFailsReleasesBelowTheirMinimumAndFp16OnPascalP4() {
    Gpu p4 = CHECKER.gpuFilter().resolve("sm_61");
    CompatibilityReport r = CHECKER.check(relu(), List.of("8.4", "10.1", "9.0"), p4);
    assertThat(r.gpu()).isEqualTo(new GpuChoice("sm_61", "sm_61", "6.1", "Pascal"));
    ReleaseResult r84 = r.results().get(0);
    assertThat(r84.gpu().status()).isEqualTo(GpuSupport.Status.SUPPORTED);
    assertThat(r84.precisions().get("fp32").verdict()).isEqualTo(Verdict.COMPATIBLE);
    assertThat(r84.precisions().get("fp16").verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(r84.precisions().get("int8").verdict()).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
    ReleaseResult r90 = r.results().get(1);
    assertThat(r90.gpu().status()).isEqualTo(GpuSupport.Status.UNKNOWN);
    assertThat(r90.precisions().get("fp32").verdict()).isEqualTo(Verdict.UNKNOWN);
    ReleaseResult r101 = r.results().get(2);
    assertThat(r101.gpu().status()).isEqualTo(GpuSupport.Status.UNSUPPORTED);
    assertThat(r101.gpu().reason()).contains("7.0 and newer").contains("sm_61");
    assertThat(r101.precisions().values()).allSatisfy(p -> assertThat(p.verdict()).isEqualTo(Verdict.INCOMPATIBLE));
    // the parse verdict itself is untouched
    assertThat(r101.verdict()).isEqualTo(Verdict.COMPATIBLE);
  }

  @ParameterizedTest(name = "TensorRT {0} on {1}: {2}")
  @CsvSource({"10.4,V100,SUPPORTED", "10.5,V100,UNSUPPORTED", "10.16,V100,UNSUPPORTED", "10.5,T4,SUPPORTED",
      "10.7,RTX 5090,UNKNOWN", "10.8,RTX 5090,SUPPORTED", "10.16,B200,SUPPORTED", "11.1,T4,UNKNOWN"})
  void releaseSupportFollowsVoltaRemovalAndBlackwellArrival(String release, String gpu, String status) {
    // Volta (7.0) removed from 10.5 (release note), Blackwell from 10.8; 11.x states no range here: unknown
    ReleaseResult r = CHECKER.check(relu(), List.of(release), CHECKER.gpuFilter().resolve(gpu)).results().get(0);
    assertThat(r.gpu().status()).isEqualTo(GpuSupport.Status.valueOf(status));
    if (status.equals("UNSUPPORTED")) {
      assertThat(r.gpu().reason()).contains("7.5 and newer");
      assertThat(r.gpu().sources()).anyMatch(u -> u.contains("release-notes-10/10.5.0"));
    }
  }

  @Test
  void withoutAGpuEachColumnSaysWhichGpusItAssumes() {
    ReleaseResult r = result(relu(), "10.1");
    assertThat(r.gpu()).isNull();
    assertThat(r.precisions().get("fp16").assumes()).contains("FP16 (listed for sm_70 and newer)");
    assertThat(r.precisions().get("int8").assumes()).contains("INT8 (listed for sm_61 and newer)");
    assertThat(result(qdq(19, FLOAT8E4M3FN, (byte) 0, (byte) 0), "10.1").precisions().get("fp32").assumes())
        .contains("FP8 Q/DQ (listed for sm_89 and newer)");
  }

  @Test
  void jsonCarriesPrecisionColumns() throws Exception {
    JsonNode j = Json.mapper().readTree(Json.mapper().writeValueAsString(CHECKER.check(relu(), List.of("10.1"))));
    JsonNode cols = j.path("results").get(0).path("precisions");
    assertThat(cols.path("fp32").path("verdict").asText()).isEqualTo("compatible");
    assertThat(cols.path("int8").path("verdict").asText()).isEqualTo("compatible_with_warnings");
    assertThat(cols.path("int8").path("findings").get(0).path("rule").asText()).isEqualTo("int8.placeholder_scales");
    assertThat(j.path("quantization").path("qdqNodes").asInt()).isZero();
    assertThat(j.path("gpu").isNull()).isTrue();
  }
}
