package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The corrections of docs/compat-matrix.md ("Corrections to the hand-written facts"), each on the node shape
 * that exposed it: the old fact would have given the other verdict.
 */
class CodeFactCorrectionsTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  static ReleaseResult result(OnnxModel m, String release) {
    return CHECKER.check(m, List.of(release)).results().get(0);
  }

  static boolean hasError(ReleaseResult r, String rule) {
    return r.findings().stream().anyMatch(f -> f.rule().equals(rule) && f.severity() == Severity.ERROR);
  }

  /** torchvision detection exports: Pad-11 with pads computed at run time (Concat of run-time values), reflect. */
  static OnnxModel runtimePad(String mode) {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 3L, 8L, 8L)).addInput(tensor("p", INT64, 4L))
        .addOutput(tensor("y", FLOAT))
        .addInitializer(int64s("zeros", 0, 0, 0, 0))
        .addNode(node("Concat", "pads_concat", in("zeros", "p"), in("pads"), attr("axis", 0L)))
        .addNode(node("Pad", "pad", in("x", "pads"), in("y"), attr("mode", mode)));
    return read(model(11, g).build());
  }

  @Test
  void padAcceptsRunTimePadsAndReflectFromTheFillModeSliceOf82() {
    for (String rel : List.of("8.2", "8.4", "8.5", "8.6", "9.0", "9.1", "9.2", "9.3", "10.0", "10.1")) {
      ReleaseResult r = result(runtimePad("reflect"), rel);
      assertThat(r.verdict()).as(rel + " " + r.findings()).isIn(Verdict.COMPATIBLE, Verdict.COMPATIBLE_WITH_WARNINGS);
    }
    for (String rel : List.of("7.0", "7.1", "7.2", "8.0")) {
      ReleaseResult r = result(runtimePad("reflect"), rel);
      assertThat(r.verdict()).as(rel).isEqualTo(Verdict.INCOMPATIBLE);
      assertThat(hasError(r, "constant_input.pads")).isTrue();
      assertThat(hasError(r, "attribute_values.mode")).isTrue();
    }
    // wrap arrives with 10.0 (kWRAP)
    assertThat(hasError(result(runtimePad("wrap"), "9.3"), "attribute_values.mode")).isTrue();
    assertThat(hasError(result(runtimePad("wrap"), "10.0"), "attribute_values.mode")).isFalse();
  }

  static OnnxModel conv(String op, boolean runtimeWeights) {
    GraphProto.Builder g = GraphProto.newBuilder().addInput(tensor("x", FLOAT, 1L, 2L, 8L, 8L))
        .addOutput(tensor("y", FLOAT)).addInitializer(floats("B", FLOAT, 2));
    if (runtimeWeights) {
      g.addInput(tensor("W", FLOAT, 2L, 2L, 3L, 3L));
    } else {
      g.addInitializer(floats("W", FLOAT, 2, 2, 3, 3));
    }
    g.addNode(node(op, "n", in("x", "W", "B"), in("y")));
    return read(model(13, g).build());
  }

  @Test
  void convolutionWeightsComputedAtRunTimeFollowTheMultiInputPath() {
    // Conv: a tensor W is asserted against only before 8.0; 8.0 and 8.2 route it to the multi-input convolution
    assertThat(hasError(result(conv("Conv", true), "7.2"), "constant_input.W")).isTrue();
    assertThat(hasError(result(conv("Conv", true), "8.0"), "constant_input.W")).isFalse();
    assertThat(hasError(result(conv("Conv", true), "8.2"), "constant_input.W")).isFalse();
    // ConvTranspose: a tensor W fails up to 8.0, is converted from 8.2
    assertThat(hasError(result(conv("ConvTranspose", true), "8.0"), "constant_input.W")).isTrue();
    assertThat(hasError(result(conv("ConvTranspose", true), "8.6"), "constant_input.W")).isFalse();
    assertThat(result(conv("ConvTranspose", false), "8.6").verdict()).isEqualTo(Verdict.COMPATIBLE);
  }

  /** ReduceSum-13 whose axes are computed at run time (a graph input here), as a dynamic-axes export writes it. */
  static OnnxModel runtimeAxesReduceSum() {
    GraphProto.Builder g = GraphProto.newBuilder().addInput(tensor("x", FLOAT, 2L, 3L, 8L))
        .addInput(tensor("axes", INT64, 1L)).addOutput(tensor("y", FLOAT))
        .addNode(node("ReduceSum", "n", in("x", "axes"), in("y")));
    return read(model(13, g).build());
  }

  @Test
  void reduceSumAxesMustBeAnInitializerFrom80() {
    // reduceTensor asserts 'Axis input must be an initializer!' from 8.0 (id 197201b97e66); the 8.x/9.x tables
    // are silent, so the hand facts called a run-time axes input compatible
    for (String rel : List.of("8.0", "8.2", "8.4", "8.5", "8.6", "9.0", "9.1", "9.2", "9.3", "10.0", "10.10")) {
      assertThat(hasError(result(runtimeAxesReduceSum(), rel), "constant_input.axes")).as(rel).isTrue();
    }
  }

  /** DequantizeLinear-10 without its optional zero point (symmetric quantization written the short way). */
  static OnnxModel dequantizeWithoutZeroPoint() {
    GraphProto.Builder g = GraphProto.newBuilder().addInput(tensor("x", FLOAT, 1L, 8L))
        .addOutput(tensor("y", FLOAT)).addInitializer(floats("s", FLOAT))
        .addNode(node("QuantizeLinear", "q", in("x", "s"), in("xq")))
        .addNode(node("DequantizeLinear", "dq", in("xq", "s"), in("y")));
    return read(model(13, g).build());
  }

  @Test
  void quantizeLinearNeedsAnExplicitZeroPointUpTo86() {
    // QuantDequantLinearHelper asserts three inputs on 8.0-8.6 (ids 535a120d1f9f, e74c42785a5d); 9.0 accepts two
    ReleaseResult r86 = result(dequantizeWithoutZeroPoint(), "8.6");
    assertThat(hasError(r86, "optional_input.y_zero_point")).as(r86.findings().toString()).isTrue();
    assertThat(hasError(r86, "optional_input.x_zero_point")).isTrue();
    ReleaseResult r90 = result(dequantizeWithoutZeroPoint(), "9.0");
    assertThat(r90.findings()).noneMatch(f -> f.rule().startsWith("optional_input."));
  }

  @Test
  void maxPoolFailsOnADeclaredIndicesOutputEvenWhenUnused() {
    GraphProto.Builder g = GraphProto.newBuilder().addInput(tensor("x", FLOAT, 1L, 2L, 8L, 8L))
        .addOutput(tensor("y", FLOAT))
        .addNode(node("MaxPool", "pool", in("x"), in("y", "unused_indices"),
            AssertionTripPassTest.ints("kernel_shape", 2, 2)));
    OnnxModel m = read(model(13, g).build());
    for (String rel : List.of("7.2", "8.6", "10.1")) {
      assertThat(hasError(result(m, rel), "unsupported_output.Indices")).as(rel).isTrue();
    }
  }

  @Test
  void sliceAxesNeedOnlyBeKnownAtBuildTime() {
    // axes from Shape -> Gather-free constant chain: Cast of a Constant is foldable, not an initializer
    GraphProto.Builder g = GraphProto.newBuilder().addInput(tensor("x", FLOAT, 1L, 3L, 8L, 8L))
        .addOutput(tensor("y", FLOAT))
        .addInitializer(int64s("starts", 0)).addInitializer(int64s("ends", 1)).addInitializer(int64s("axes_i", 1))
        .addNode(node("Cast", "axes_cast", in("axes_i"), in("axes"), attr("to", (long) INT64)))
        .addNode(node("Slice", "slice", in("x", "starts", "ends", "axes"), in("y")));
    ReleaseResult r = result(read(model(13, g).build()), "8.6");
    assertThat(r.findings()).noneMatch(f -> f.rule().equals("constant_input.axes"));
  }
}
