package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.floats;
import static dev.trtcompat.fix.Models.i;
import static dev.trtcompat.fix.Models.ints;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.google.protobuf.ByteString;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.Finding;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code opset-upgrade} on tiny models below opset 7: what each rule writes, the verdicts before and after (no
 * {@code parser.opset_below_minimum}), and ONNX Runtime equivalence. ONNX Runtime has no kernels for Add-6,
 * PRelu-6 or BatchNormalization-6, so models with those cannot be proven against their original; there the moved
 * model's outputs are checked against values computed here.
 */
class OpsetUpgradePassTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  @TempDir Path dir;

  FixReport fix(Path src, Path out, List<String> releases) {
    return new ModelFixer(CHECKER, "test").fix(FixRequest.of(src, out).withReleases(releases));
  }

  static AttributeProto string(String name, String v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(v)).build();
  }

  static NodeProto op(String type, String name, String[] ins, String out, AttributeProto... attrs) {
    return node(type, name, ins, new String[] {out}, attrs);
  }

  static NodeProto nodeNamed(ModelProto m, String name) {
    return m.getGraph().getNodeList().stream().filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
  }

  static boolean warnsBelowMinimum(FixReport r) {
    return r.passes().stream().filter(p -> p.name().equals("opset-upgrade")).flatMap(p -> p.findingsRemoved()
        .stream()).anyMatch(f -> f.startsWith("parser.opset_below_minimum"));
  }

  /** Clip-6, Pad-2, Slice-1 and Relu-6: ONNX Runtime runs both models, so the move is proven. */
  @Test
  void attributesBecomeInputsAndTheMoveIsProvenByOnnxRuntime() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("attrs")
        .addNode(op("Relu", "relu", new String[] {"x"}, "r"))
        .addNode(op("Clip", "clip", new String[] {"r"}, "c", Attrs.ofFloat("min", 0.25f), Attrs.ofFloat("max", 1.5f)))
        .addNode(op("Pad", "pad", new String[] {"c"}, "p", ints("pads", 0, 1, 0, 2), Attrs.ofFloat("value", -3f),
            string("mode", "constant")))
        .addNode(op("Slice", "slice", new String[] {"p"}, "y", ints("starts", 1), ints("ends", 4), ints("axes", 1)))
        .addInput(value("x", FLOAT, 2, 3))
        .addOutput(value("y", FLOAT, 2, 3))
        .build();
    Path src = Models.write(dir.resolve("attrs6.onnx"), g, 6);
    Path out = dir.resolve("attrs11.onnx");
    FixReport r = fix(src, out, List.of("7.0", "8.6"));

    assertThat(r.passesApplied()).as(String.valueOf(r.notes())).contains("opset-upgrade");
    assertThat(r.proven()).as(String.valueOf(r.unprovenReason()) + r.refusal()).isTrue();
    assertThat(r.equivalence().outputs()).allSatisfy(o -> assertThat(o.maxAbsError()).isZero());
    assertThat(r.notes()).contains("opset-upgrade: opset 6 → 11");
    assertThat(warnsBelowMinimum(r)).isTrue();
    assertThat(FixPassesTest.verdict(r, "8.6", false)).isEqualTo("compatible_with_warnings");
    // still with warnings after: the INT64 pads/starts initializers draw the cast-down warning (see FixPassesTest)
    assertThat(FixPassesTest.verdict(r, "8.6", true)).isEqualTo("compatible_with_warnings");
    assertThat(rules(src, "8.6")).contains("parser.opset_below_minimum");
    assertThat(rules(out, "8.6")).doesNotContain("parser.opset_below_minimum");
    ModelProto m = Models.read(out);
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(11);
    assertThat(nodeNamed(m, "relu").getAttributeList()).isEmpty();
    assertThat(nodeNamed(m, "clip").getInputCount()).isEqualTo(3);
    assertThat(nodeNamed(m, "clip").getAttributeList()).isEmpty();
    assertThat(nodeNamed(m, "pad").getInputCount()).isEqualTo(3);
    assertThat(nodeNamed(m, "pad").getAttributeList()).extracting(AttributeProto::getName).containsExactly("mode");
    assertThat(nodeNamed(m, "slice").getInputCount()).isEqualTo(4);

    // idempotent: the moved model is at opset 11 and stays there
    FixReport again = fix(out, dir.resolve("again.onnx"), List.of("7.0", "8.6"));
    assertThat(again.passesApplied()).doesNotContain("opset-upgrade");
  }

  /**
   * Add-6 with axis=1 on an initializer and Mul-6 with axis=1 on a graph input (numpy would line both up with the
   * last axes), PRelu-6 with one slope per channel, BatchNormalization-6 in test mode, Concat-1 without axis.
   */
  @Test
  void legacyBroadcastPerChannelSlopeAndBatchNormMoveAndComputeTheOldResults() throws IOException {
    float[] bias = {1, 2, 3};
    float[] slope = {0.5f, -1f, 2f};
    GraphProto g = GraphProto.newBuilder().setName("legacy")
        .addNode(op("Add", "add", new String[] {"x", "bias"}, "a", i("broadcast", 1), i("axis", 1),
            ints("consumed_inputs", 0, 0)))
        .addNode(op("Mul", "mul", new String[] {"a", "k"}, "m", i("broadcast", 1), i("axis", 1)))
        .addNode(op("PRelu", "prelu", new String[] {"m", "slope"}, "p"))
        .addNode(op("BatchNormalization", "bn", new String[] {"p", "one", "zero", "zero", "one"}, "b",
            i("is_test", 1), ints("consumed_inputs", 0, 0, 0, 1, 1), Attrs.ofFloat("epsilon", 0f)))
        .addNode(op("Concat", "concat", new String[] {"b", "b"}, "y"))
        .addInitializer(floats("bias", new long[] {3}, bias))
        .addInitializer(floats("slope", new long[] {3}, slope))
        .addInitializer(floats("one", new long[] {3}, 1, 1, 1))
        .addInitializer(floats("zero", new long[] {3}, 0, 0, 0))
        .addInput(value("x", FLOAT, 1, 3, 2))
        .addInput(value("k", FLOAT, 3))
        .addOutput(value("y", FLOAT, 1, 6, 2))
        .build();
    Path src = Models.write(dir.resolve("legacy6.onnx"), g, 1);
    Path out = dir.resolve("legacy11.onnx");
    FixReport r = fix(src, out, List.of("10.0"));

    assertThat(r.passesApplied()).as(String.valueOf(r.notes())).contains("opset-upgrade");
    assertThat(r.status()).isEqualTo("fixed");
    assertThat(warnsBelowMinimum(r)).isTrue();
    assertThat(rules(out, "10.0")).doesNotContain("parser.opset_below_minimum");
    // ONNX Runtime has no Add-6 kernel: the original cannot run, so the move is labelled unproven
    assertThat(r.proven()).isFalse();
    ModelProto m = Models.read(out);
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(11);
    assertThat(FixPassesTest.ops(m)).contains("Unsqueeze");
    assertThat(m.getGraph().getInitializerList()).anySatisfy(t -> assertThat(t.getDimsList()).containsExactly(3L, 1L));
    assertThat(nodeNamed(m, "concat").getAttributeList()).anySatisfy(a -> {
      assertThat(a.getName()).isEqualTo("axis");
      assertThat(a.getI()).isEqualTo(1);
    });
    assertThat(nodeNamed(m, "bn").getAttributeList()).extracting(AttributeProto::getName)
        .containsExactly("epsilon");

    float[] x = {-1, 2, 3, -4, 5, -6};
    float[] k = {2, -1, 0.5f};
    HostTensor y = run(out, Map.of("x", HostTensor.ofFloats("x", new long[] {1, 3, 2}, x),
        "k", HostTensor.ofFloats("k", new long[] {3}, k)));
    assertThat(y.shape()).containsExactly(1L, 6L, 2L);
    for (int c = 0; c < 3; c++) {
      for (int w = 0; w < 2; w++) {
        float v = (x[c * 2 + w] + bias[c]) * k[c];
        float want = v >= 0 ? v : v * slope[c];
        assertThat(y.get(c * 2 + w)).as("channel %d, position %d", c, w).isCloseTo(want, offset(1e-5));
        assertThat(y.get(6 + c * 2 + w)).isCloseTo(want, offset(1e-5));
      }
    }
  }

  /**
   * Opset 1: Reshape-1's shape attribute (input from 5), Selu-1 without alpha/gamma (its defaults differ from
   * Selu-6's), Split-1 with a constant split input (an attribute from 2), Dropout-1 in test mode (is_test gone in 7).
   */
  @Test
  void opset1ShapeSplitSeluAndDropoutMoveWithTheirOldMeaning() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("v1")
        .addNode(op("Reshape", "reshape", new String[] {"x"}, "r", ints("shape", 2, 3)))
        .addNode(op("Selu", "selu", new String[] {"r"}, "s"))
        .addNode(node("Split", "split", new String[] {"s", "parts"}, new String[] {"a", "b"}, i("axis", 1)))
        .addNode(node("Dropout", "drop", new String[] {"b"}, new String[] {"y", "mask"}, i("is_test", 1)))
        .addInitializer(Models.int64s("parts", new long[] {2}, 1, 2))
        .addInput(value("x", FLOAT, 6))
        .addOutput(value("y", FLOAT, 2, 2))
        .build();
    Path src = Models.write(dir.resolve("v1.onnx"), g, 1);
    Path out = dir.resolve("v1-11.onnx");
    FixReport r = fix(src, out, List.of("8.6"));

    assertThat(r.passesApplied()).as(String.valueOf(r.notes())).contains("opset-upgrade");
    assertThat(rules(out, "8.6")).doesNotContain("parser.opset_below_minimum");
    ModelProto m = Models.read(out);
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(11);
    assertThat(nodeNamed(m, "split").getInputCount()).isEqualTo(1);
    assertThat(nodeNamed(m, "drop").getOutputCount()).isEqualTo(1);

    float[] x = {-1, 0.5f, -2, 3, -0.25f, 1};
    HostTensor y = run(out, Map.of("x", HostTensor.ofFloats("x", new long[] {6}, x)));
    assertThat(y.shape()).containsExactly(2L, 2L);
    int[] picked = {1, 2, 4, 5}; // columns 1-2 of the 2x3 reshape
    for (int k = 0; k < picked.length; k++) {
      double v = x[picked[k]];
      // Selu-1's defaults, as float32 attributes: 1.6732f and 1.0507f (Selu-6: 1.67326319..., 1.05070102...)
      double want = 1.0507f * (v > 0 ? v : 1.6732f * (Math.exp(v) - 1));
      assertThat(y.get(k)).as("element %d", k).isCloseTo(want, offset(2e-6));
    }
  }

  /** A BatchNormalization in training mode has no opset-7 form: the whole model stays, Relu's hint included. */
  @Test
  void oneNodeThatCannotMoveKeepsTheWholeModelWithANoteNamingIt() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("train")
        .addNode(op("Relu", "relu", new String[] {"x"}, "r", ints("consumed_inputs", 0)))
        .addNode(op("BatchNormalization", "bn", new String[] {"r", "one", "zero", "zero", "one"}, "y",
            i("is_test", 0)))
        .addInitializer(floats("one", new long[] {3}, 1, 1, 1))
        .addInitializer(floats("zero", new long[] {3}, 0, 0, 0))
        .addInput(value("x", FLOAT, 1, 3, 2))
        .addOutput(value("y", FLOAT, 1, 3, 2))
        .build();
    Path src = Models.write(dir.resolve("train6.onnx"), g, 6);
    Path out = dir.resolve("train-fixed.onnx");
    FixReport r = fix(src, out, List.of("8.6"));

    assertThat(r.passesApplied()).doesNotContain("opset-upgrade");
    assertThat(r.notes()).contains("opset-upgrade: stays at opset 6: BatchNormalization-7 (node bn): is_test is 0"
        + " (training mode), which has no form from opset 7 on");
    ModelProto m = Models.read(out);
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(6);
    assertThat(nodeNamed(m, "relu").getAttributeList()).extracting(AttributeProto::getName)
        .containsExactly("consumed_inputs");
    assertThat(FixPassesTest.verdict(r, "8.6", true)).isEqualTo(FixPassesTest.verdict(r, "8.6", false));
  }

  /** A schema change the pass does not know (Tile-1's tiles and axis inputs, replaced by repeats in 6). */
  @Test
  void unknownChangeStopsTheMoveNamingOpAndVersion() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("tile")
        .addNode(op("Tile", "tile", new String[] {"x", "tiles", "axis"}, "y"))
        .addInitializer(Models.int64s("tiles", new long[] {1}, 2))
        .addInitializer(Models.int64s("axis", new long[] {1}, 0))
        .addInput(value("x", FLOAT, 2))
        .addOutput(value("y", FLOAT, 4))
        .build();
    Path src = Models.write(dir.resolve("tile1.onnx"), g, 1);
    FixReport r = fix(src, dir.resolve("tile-fixed.onnx"), List.of("8.6"));
    assertThat(r.passesApplied()).doesNotContain("opset-upgrade");
    assertThat(r.notes()).contains("opset-upgrade: stays at opset 1: Tile-6 (node tile): this change is not known"
        + " to the pass");
  }

  static List<String> rules(Path model, String release) {
    return CHECKER.check(OnnxModelReader.read(model), List.of(release)).results().stream()
        .flatMap(rr -> rr.findings().stream()).map(Finding::rule).toList();
  }

  static HostTensor run(Path model, Map<String, HostTensor> inputs) {
    return new ReferenceRunner().run(ReferenceRequest.of(model).withRuns(1).withWarmup(0).withThreads(1)
        .withGivenInputs(inputs)).outputTensors().values().iterator().next();
  }
}
