package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.ExplicitQuantizationVerdict;
import dev.trtcompat.check.ExplicitQuantizationVerdict.Mode;
import dev.trtcompat.check.Verdict;
import dev.trtcompat.fix.FixReport;
import dev.trtcompat.fix.FixRequest;
import dev.trtcompat.fix.ModelFixer;
import dev.trtcompat.fp16.Fp16Converter;
import dev.trtcompat.fp16.Fp16Request;
import dev.trtcompat.fp16.Fp16Result;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.TensorProtoFiles;
import dev.trtcompat.rules.ReleaseRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real models quantized to INT8 (entropy and percentile) and converted to FP16, each run on ONNX Runtime against
 * its FP32 original and held to error bounds stated per model: the repository's PyTorch exports (a ResNet-18-like
 * network, MobileNetV2, a transformer encoder, a detection head; random calibration data) and libonnx-testdata
 * models calibrated on their shipped {@code input_0.pb} (the single sample then also measures accuracy; the
 * pytorch-converted ones are on opset 6 and go through {@code fix}'s opset-upgrade first, as a user would).
 *
 * <p>Each bound is the figure measured when the test was written (2 ONNX Runtime threads, the seeds and sample
 * counts below; printed by this test on every run as {@code measured ...}) with a margin: cosine bounds sit at
 * {@code 1 - 2 x (1 - measured)} or lower, error bounds at twice the measured error or higher, so that a broken
 * scale, a misplaced Q/DQ or an FP16 overflow fails while thread-order noise does not. Besides accuracy, every Q/DQ
 * model is checked against what {@link QdqPlacement} promises and carries the static checker's per-release
 * explicit-quantization verdict.
 */
class RealModelsQuantizeTest {

  static final Path TESTDATA = Path.of("/usr/share/libonnx-testdata/data");

  @TempDir static Path work;

  /** Errors an output may show against FP32, and why these values. */
  record Bound(double cosineMin, double maxAbs, double maxRel, double minIou, String why) {}

  /**
   * One model: where it is, how to make its calibration data, an optional box output, the number of weights it
   * quantizes (per-channel constant weights of Conv/ConvTranspose/Gemm/MatMul) and its bounds.
   */
  record Case(
      String name, Path model, Function<Path, CalibrationSet> data, String boxes, int weights, Bound entropy,
      Bound percentile, Bound fp16) {
    @Override
    public String toString() {
      return name;
    }
  }

  static final Map<String, Path> PREPARED = new HashMap<>();

  static Function<Path, CalibrationSet> synthetic(int n, String shapes) {
    return m -> new SyntheticCalibrationSet(n, 7, shapes == null ? InputShapes.NONE : InputShapes.parse(shapes));
  }

  /** The shipped {@code test_data_set_0/input_*.pb}, one .npz sample named after the model's inputs. */
  static Function<Path, CalibrationSet> shippedInputs(String dir) {
    return m -> {
      try {
        List<ModelInput> inputs = ModelInput.of(ModelFiles.load(m).getGraph());
        Map<String, HostTensor> arrays = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
          HostTensor t = TensorProtoFiles.read(TESTDATA.resolve(dir).resolve("test_data_set_0/input_" + i + ".pb"));
          arrays.put(inputs.get(i).name(), t.withName(inputs.get(i).name()));
        }
        Path calib = Files.createDirectories(work.resolve("calib-" + dir.replace('/', '-')));
        QuantizeFixtures.npz(calib.resolve("input_0.npz"), arrays);
        return CalibrationFiles.open(calib, null);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    };
  }

  static Bound b(double cosineMin, double maxAbs, double maxRel, String why) {
    return new Bound(cosineMin, maxAbs, maxRel, Double.NaN, why);
  }

  static Path export(String name) {
    return QuantizeFixtures.EXPORTS.resolve(name + ".onnx");
  }

  /** FP16 on a model whose operands are all graph inputs: ONNX Runtime (CPU) gave exactly the FP32 result. */
  static final Bound FP16_EXACT = b(0.99999, 1e-2, 1e-2, "measured 0 (exact on ONNX Runtime CPU); bound: FP16"
      + " rounding of the operands, 2^-11 relative each");

  static List<Case> cases() {
    return List.of(
        new Case("classification_resnet18_narrow", export("classification_resnet18_narrow"), synthetic(10, null), null,
            21, // 20 Conv + the Gemm classifier
            b(0.98, 0.25, 20, "measured cosine 0.99142, max abs 0.118, max rel 8.35"),
            b(0.989, 0.17, 8, "measured cosine 0.99465, max abs 0.0808, max rel 3.77"),
            b(0.999996, 5e-3, 0.26, "measured cosine 0.9999982, max abs 0.00248, max rel 0.129")),
        new Case("classification_mobilenet_v2", export("classification_mobilenet_v2"), synthetic(10, null), null,
            53, // 52 Conv + the Gemm classifier; logits ~1e-8 (untrained, see Fp16ConverterTest)
            b(0.98, 2.1e-8, 1.4, "measured cosine 0.99147, max abs 1.02e-8, max rel 0.692"),
            b(0.985, 2.3e-8, 1.0, "measured cosine 0.99279, max abs 1.14e-8, max rel 0.476"),
            b(0.9999992, 8e-11, 7.5e-3, "measured cosine 0.99999964, max abs 3.85e-11, max rel 0.00374")),
        new Case("transformer_encoder", export("transformer_encoder"), synthetic(8, "tokens:2x16x32"), null,
            -1, // MatMul weights and activation x activation products: the count is the placement check's
            b(0.995, 0.5, 90, "measured cosine 0.99797, max abs 0.248, max rel 44.5"),
            b(0.9999, 0.16, 24, "measured cosine 0.999965, max abs 0.0775, max rel 11.9"),
            b(0.99999997, 1.1e-3, 0.56, "measured cosine 0.999999989, max abs 5.45e-4, max rel 0.278")),
        // NMS keeps a different number of boxes in every sample: no element-wise figure, IoU of matched boxes
        new Case("detection_nms_nonzero", export("detection_nms_nonzero"), synthetic(8, null), "boxes", 4,
            iou(0.75, "measured mean IoU 0.8731 (3 of 3 samples keep another box count)"),
            iou(0.75, "measured mean IoU 0.8734 (3 of 3 samples keep another box count)"),
            // FP16 keeps the box count here; near-equal scores change the order of the kept boxes, which the
            // element-wise figures count as errors (the IoU of matched boxes is asserted below)
            b(0.849, 22, 260, "measured boxes cosine 0.9245, max abs 10.9, max rel 129; scores 0.99999986")),
        // libonnx-testdata: one shipped sample calibrates and measures; entropy and percentile agree on most
        libonnx("pytorch-converted/test_Conv2d", 1,
            b(0.99995, 0.027, 3, "measured cosine 0.999976, max abs 0.0134, max rel 1.47"), null,
            b(0.99999997, 5.3e-4, 0.26, "measured cosine 0.999999986, max abs 2.64e-4, max rel 0.127")),
        libonnx("pytorch-converted/test_Conv2d_groups", 1,
            b(0.99994, 0.017, 23, "measured cosine 0.99997, max abs 0.0085, max rel 11.3"), null,
            b(0.99999996, 4.2e-4, 0.58, "measured cosine 0.99999998, max abs 2.06e-4, max rel 0.285")),
        libonnx("pytorch-converted/test_Conv1d", 1,
            b(0.99994, 0.035, 6, "measured cosine 0.99997, max abs 0.0175, max rel 2.94"), null,
            b(0.99999997, 6.8e-4, 0.052, "measured cosine 0.999999985, max abs 3.37e-4, max rel 0.0256")),
        libonnx("pytorch-converted/test_ConvTranspose2d", 1,
            b(0.99984, 0.053, 7, "measured cosine 0.999923, max abs 0.0264, max rel 3.46"),
            b(0.99996, 0.0124, 2.8, "measured cosine 0.99998, max abs 0.0062, max rel 1.37"),
            b(0.99999994, 5.7e-4, 0.123, "measured cosine 0.99999997, max abs 2.8e-4, max rel 0.0612")),
        libonnx("pytorch-converted/test_Linear", 1,
            b(0.99996, 0.027, 0.34, "measured cosine 0.999981, max abs 0.0132, max rel 0.167"), null,
            b(0.99999997, 7.1e-4, 4.6e-3, "measured cosine 0.999999985, max abs 3.55e-4, max rel 0.0023")),
        libonnx("node/test_conv_with_strides_padding", 0,
            b(0.9999988, 0.46, 0.017, "measured cosine 0.9999994, max abs 0.228, max rel 0.00846"), null,
            FP16_EXACT),
        libonnx("node/test_matmul_3d", 0,
            b(0.99996, 0.051, 0.23, "measured cosine 0.999983, max abs 0.0253, max rel 0.115"), null, FP16_EXACT),
        libonnx("node/test_gemm_all_attributes", 0,
            b(0.982, 0.46, 0.87, "measured cosine 0.99111, max abs 0.227, max rel 0.434 (entropy over 12 values)"),
            b(0.999996, 0.004, 0.0082, "measured cosine 0.9999984, max abs 0.00197, max rel 0.00407"),
            FP16_EXACT));
  }

  static Bound iou(double minIou, String why) {
    return new Bound(Double.NaN, Double.NaN, Double.NaN, minIou, why);
  }

  /** A libonnx-testdata model; a null percentile bound is the entropy one (the same figures were measured). */
  static Case libonnx(String dir, int weights, Bound entropy, Bound percentile, Bound fp16) {
    return new Case(dir, TESTDATA.resolve(dir).resolve("model.onnx"), shippedInputs(dir), null, weights, entropy,
        percentile == null ? entropy : percentile, fp16);
  }

  static Stream<Arguments> int8() {
    return cases().stream()
        .flatMap(c -> Stream.of(Arguments.of(c, RangeMethod.ENTROPY), Arguments.of(c, RangeMethod.PERCENTILE)));
  }

  /** The FP32 model as quantize reads it: opset-6 models moved to opset 11 by fix's opset-upgrade first. */
  static synchronized Path prepared(Case c) {
    return PREPARED.computeIfAbsent(c.name(), n -> {
      if (OpsetRequirement.defaultOpset(ModelFiles.load(c.model())) >= 11) {
        return c.model();
      }
      Path out = work.resolve(n.replace('/', '-') + ".opset11.onnx");
      FixReport r = new ModelFixer(CompatibilityChecker.bundled(), "test")
          .fix(FixRequest.of(c.model(), out).withPasses(List.of("opset-upgrade")));
      assertThat(r.passesApplied()).as(n + ": " + r.summary()).contains("opset-upgrade");
      assertThat(OpsetRequirement.defaultOpset(ModelFiles.load(out))).isEqualTo(11);
      return out;
    });
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("int8")
  void int8QdqModelRunsWithinItsBoundAndFollowsThePlacementRules(Case c, RangeMethod method) {
    Path fp32 = prepared(c);
    Path out = work.resolve(c.name().replace('/', '-') + "." + method.wireName() + ".int8.onnx");
    QuantizeResult r = new Quantizer().quantize(
        QuantizeRequest.of(fp32, c.data().apply(fp32), out).withMethod(method, 99.99).withBoxesOutput(c.boxes())
            .withThreads(2).withMaxEvalSamples(3),
        Progress.NONE);
    report(c.name() + " int8 " + method.wireName(), r.accuracy());
    assertWithin(r.accuracy(), method == RangeMethod.ENTROPY ? c.entropy() : c.percentile(), c.name());
    if (c.weights() >= 0) {
      assertThat(r.weightsQuantized()).isEqualTo(c.weights());
    }
    assertPlacement(ModelFiles.load(fp32), ModelFiles.load(out), r);
    assertVerdicts(r);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void fp16ModelRunsWithinItsBound(Case c) {
    Path fp32 = prepared(c);
    Path out = work.resolve(c.name().replace('/', '-') + ".fp16.onnx");
    Fp16Result r = new Fp16Converter().convert(
        Fp16Request.of(fp32, c.data().apply(fp32), out).withBoxesOutput(c.boxes()).withThreads(2)
            .withMaxEvalSamples(3), Progress.NONE);
    report(c.name() + " fp16", r.accuracy());
    assertWithin(r.accuracy(), c.fp16(), c.name());
    assertThat(r.fp16Nodes()).isPositive();
    // NonMaxSuppression's schema takes FLOAT only: it must stay FP32 or the model is invalid
    boolean nms = ModelFiles.load(fp32).getGraph().getNodeList().stream()
        .anyMatch(n -> n.getOpType().equals("NonMaxSuppression"));
    assertThat(r.keptFp32().stream().anyMatch(k -> k.op().equals("NonMaxSuppression"))).isEqualTo(nms);
    if (c.boxes() != null) {
      // matched by overlap, the boxes agree whatever their order (detection head: measured mean IoU 0.9926)
      assertThat(r.accuracy().outputs()).filteredOn(o -> o.name().equals(c.boxes())).singleElement()
          .satisfies(o -> assertThat(o.meanIou()).as("mean IoU").isGreaterThan(0.75));
    }
    // Casts: the original ones, those added in front of nodes, and one per graph output turned back to FLOAT.
    ModelProto written = ModelFiles.load(out);
    long before = ModelFiles.load(fp32).getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Cast"))
        .count();
    Map<String, NodeProto> producers = new HashMap<>();
    written.getGraph().getNodeList().forEach(n -> n.getOutputList().forEach(o -> producers.put(o, n)));
    long outputCasts = written.getGraph().getOutputList().stream().map(o -> producers.get(o.getName()))
        .filter(p -> p != null && p.getOpType().equals("Cast") && p.getInput(0).endsWith("_fp16")).count();
    assertThat(written.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Cast")).count())
        .isEqualTo(before + r.castsAdded() + outputCasts);
    assertThat(written.getGraph().getOutputList()).as("outputs stay FLOAT")
        .allSatisfy(o -> assertThat(o.getType().getTensorType().getElemType())
            .isEqualTo(TensorProto.DataType.FLOAT_VALUE));
  }

  private static void report(String what, AccuracySummary a) {
    for (OutputAccuracy o : a.outputs()) {
      System.out.printf("measured %s %s: cosineMin %s maxAbs %s maxRel %s meanIou %s mismatches %d samples %d%n",
          what, o.name(), o.cosineMin(), o.maxAbsError(), o.maxRelError(), o.meanIou(), o.shapeMismatches(),
          a.samples());
    }
  }

  private static void assertWithin(AccuracySummary a, Bound bound, String model) {
    assertThat(a.outputs()).isNotEmpty();
    if (!Double.isNaN(bound.minIou())) {
      assertThat(a.outputs()).filteredOn(o -> o.meanIou() != null).as(model + " box outputs").isNotEmpty()
          .allSatisfy(o -> assertThat(o.meanIou()).as(model + " (" + bound.why() + ")")
              .isGreaterThanOrEqualTo(bound.minIou()));
      return;
    }
    for (OutputAccuracy o : a.outputs()) {
      String as = model + " " + o.name() + " (" + bound.why() + ")";
      if (o.cosineMin() == null) { // no figure only when every sample kept another number of elements (NMS)
        assertThat(o.shapeMismatches()).as(as + ": samples with another element count").isEqualTo(a.samples());
        continue;
      }
      assertThat(o.cosineMin()).as(as).isGreaterThanOrEqualTo(bound.cosineMin());
      assertThat(o.maxAbsError()).as(as).isLessThanOrEqualTo(bound.maxAbs());
      assertThat(o.maxRelError()).as(as).isLessThanOrEqualTo(bound.maxRel());
    }
  }

  /**
   * What {@link QdqPlacement} promises, read back from the written model: the original nodes in their order; every
   * weighted operation reads its activation input and its constant weight through a Q/DQ pair (the weight's one
   * scale per output channel on the promised axis), a non-constant MatMul/Gemm operand too, never its bias; pooling
   * reads a dequantized input; no other operator but a residual Add does; each pair is symmetric INT8; no graph
   * output is a DequantizeLinear's; one QuantizeLinear per quantized tensor.
   */
  static void assertPlacement(ModelProto fp32, ModelProto qdq, QuantizeResult r) {
    GraphIndex original = new GraphIndex(fp32.getGraph());
    Map<String, NodeProto> producers = new HashMap<>();
    for (NodeProto n : qdq.getGraph().getNodeList()) {
      n.getOutputList().forEach(o -> producers.put(o, n));
    }
    Map<String, TensorProto> initializers = new HashMap<>();
    qdq.getGraph().getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    List<NodeProto> kept = qdq.getGraph().getNodeList().stream()
        .filter(n -> !n.getOpType().equals("QuantizeLinear") && !n.getOpType().equals("DequantizeLinear")).toList();
    assertThat(kept).extracting(NodeProto::getOpType)
        .containsExactlyElementsOf(fp32.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList());
    Function<String, NodeProto> quantizeOf = t -> {
      NodeProto dq = producers.get(t);
      if (dq == null || !dq.getOpType().equals("DequantizeLinear")) {
        return null;
      }
      NodeProto q = producers.get(dq.getInput(0));
      assertThat(q.getOpType()).isEqualTo("QuantizeLinear");
      assertThat(q.getInput(1)).isEqualTo(dq.getInput(1)); // same scale
      return q;
    };
    for (int i = 0; i < kept.size(); i++) {
      NodeProto o = fp32.getGraph().getNode(i);
      NodeProto n = kept.get(i);
      String op = o.getOpType();
      String where = QdqPlacement.nodeLabel(o, i);
      if (QdqPlacement.WEIGHTED.contains(op) && o.getInputCount() >= 2) {
        if (!original.isConstant(o.getInput(0))) {
          assertThat(quantizeOf.apply(n.getInput(0))).as(where + " activation").isNotNull();
        }
        String w = o.getInput(1);
        NodeProto wq = quantizeOf.apply(n.getInput(1));
        if (original.constant(w).isPresent()) {
          assertThat(wq).as(where + " weight").isNotNull();
          assertThat(wq.getInput(0)).isEqualTo(w);
          TensorProto weight = original.constant(w).get();
          int axis = switch (op) {
            case "Conv" -> 0;
            case "Gemm" -> GraphIndex.intAttribute(o, "transB", 0) != 0 ? 0 : 1;
            case "MatMul" -> weight.getDimsCount() - 1;
            default -> GraphIndex.intAttribute(o, "group", 1) == 1 ? 1 : -1;
          };
          long scales = axis < 0 || weight.getDimsCount() < 2 ? 1 : weight.getDims(axis);
          assertThat(elements(initializers.get(wq.getInput(1)))).as(where + " weight scales").isEqualTo(scales);
          if (scales > 1) {
            assertThat(wq.getAttributeList()).as(where).anySatisfy(a -> {
              assertThat(a.getName()).isEqualTo("axis");
              assertThat(a.getI()).isEqualTo(axis);
            });
          }
        } else {
          assertThat(wq != null).as(where + " non-constant operand 1").isEqualTo(!op.startsWith("Conv"));
        }
        if (o.getInputCount() > 2 && !o.getInput(2).isEmpty()) {
          assertThat(n.getInput(2)).as(where + " bias stays FP32").isEqualTo(o.getInput(2));
        }
      } else if (QdqPlacement.POOLING.contains(op)) {
        assertThat(quantizeOf.apply(n.getInput(0))).as(where + " pooling input").isNotNull();
      } else if (op.equals("Add")) {
        long quantized = n.getInputList().stream().filter(t -> quantizeOf.apply(t) != null).count();
        assertThat(quantized).as(where + " residual Add inputs through Q/DQ").isEqualTo(residualQdq(original, o));
      } else {
        assertThat(n.getInputList()).as(where + " reads no Q/DQ").isEqualTo(o.getInputList());
      }
    }
    List<NodeProto> quantizes =
        qdq.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("QuantizeLinear")).toList();
    assertThat(quantizes).hasSize(r.activationsQuantized() + r.weightsQuantized());
    assertThat(quantizes.stream().map(q -> q.getInput(0)).distinct()).hasSize(quantizes.size());
    for (NodeProto q : quantizes) {
      TensorProto zero = initializers.get(q.getInput(2));
      assertThat(zero.getDataType()).isEqualTo(TensorProto.DataType.INT8_VALUE);
      assertThat(zero.getRawData().toByteArray()).containsOnly(0);
    }
    for (ValueInfoProto out : qdq.getGraph().getOutputList()) {
      NodeProto p = producers.get(out.getName());
      assertThat(p == null ? "" : p.getOpType()).as("output " + out.getName()).isNotEqualTo("DequantizeLinear");
    }
  }

  /**
   * How many inputs of an Add the residual rule quantizes: none unless a weighted operation feeds it; then every
   * non-constant input but the one TensorRT fuses into its producer (made by a weighted operation, read only here).
   */
  private static long residualQdq(GraphIndex g, NodeProto add) {
    List<String> inputs = add.getInputList().stream().filter(t -> !g.isConstant(t)).toList();
    List<String> weighted = inputs.stream().filter(t -> g.producer(t)
        .filter(p -> QdqPlacement.WEIGHTED.contains(p.getOpType())).isPresent()).toList();
    if (weighted.isEmpty()) {
      return 0;
    }
    boolean fused = weighted.stream().anyMatch(t -> g.uses(t).size() == 1 && !g.isGraphOutput(t));
    return inputs.size() - (fused ? 1 : 0);
  }

  private static long elements(TensorProto t) {
    long n = 1;
    for (long d : t.getDimsList()) {
      n *= d;
    }
    return n;
  }

  /** The static checker judged the Q/DQ model for every release: scale layers on 7.x, explicit INT8 from 8.0. */
  static void assertVerdicts(QuantizeResult r) {
    List<String> releases =
        CompatibilityChecker.bundled().knowledgeBase().releases().stream().map(ReleaseRules::release).toList();
    assertThat(r.explicitQuantization()).extracting(ExplicitQuantizationVerdict::tensorrt)
        .containsExactlyElementsOf(releases);
    for (ExplicitQuantizationVerdict v : r.explicitQuantization()) {
      assertThat(v.verdict()).as(v.tensorrt()).isNotNull();
      assertThat(v.mode()).as(v.tensorrt())
          .isEqualTo(v.tensorrt().startsWith("7.") ? Mode.SCALE_LAYERS : Mode.EXPLICIT);
    }
    // measured: every model here, entropy and percentile alike, is compatible on 8.2 and later (the detection
    // head's NonMaxSuppression is not on 8.0's importer)
    assertThat(r.explicitQuantization()).filteredOn(v -> v.tensorrt().equals("10.0"))
        .singleElement().extracting(ExplicitQuantizationVerdict::verdict).isEqualTo(Verdict.COMPATIBLE);
  }

}
