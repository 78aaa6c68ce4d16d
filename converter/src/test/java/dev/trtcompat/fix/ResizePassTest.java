package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceRunner;
import dev.trtcompat.rules.ReleaseRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Resize pass on one-node models built here: which forms each release rejects (knowledge base), the rewrite
 * into a form it accepts, verdicts before and after, and ONNX Runtime equivalence; forms with no equivalent stay.
 */
class ResizePassTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  @TempDir Path dir;

  /** x [1,1,h,w] -> Resize(x, roi, scales | sizes) -> y, with the given string and int attributes. */
  Path model(String name, long opset, long[] in, long[] out, float[] scales, long[] sizes, Object... attrs)
      throws IOException {
    List<AttributeProto> as = new ArrayList<>();
    for (int k = 0; k < attrs.length; k += 2) {
      String n = (String) attrs[k];
      as.add(attrs[k + 1] instanceof String s
          ? AttributeProto.newBuilder().setName(n).setType(AttributeProto.AttributeType.STRING)
              .setS(ByteString.copyFromUtf8(s)).build()
          : Attrs.ofInt(n, ((Number) attrs[k + 1]).longValue()));
    }
    // opset 11 has no optional roi or scales: an empty tensor stands for "not given"
    String roi = opset < 13 ? "roi" : "";
    String[] ins = sizes == null ? new String[] {"x", roi, "scales"}
        : new String[] {"x", roi, opset < 13 ? "no_scales" : "", "sizes"};
    GraphProto.Builder g = GraphProto.newBuilder().setName(name)
        .addNode(node("Resize", "resize", ins, new String[] {"y"}, as.toArray(AttributeProto[]::new)))
        .addInput(value("x", FLOAT, box(in)))
        .addOutput(value("y", FLOAT, box(out)));
    if (opset < 13) {
      g.addInitializer(Models.floats("roi", new long[] {0}));
      g.addInitializer(Models.floats("no_scales", new long[] {0}));
    }
    if (sizes == null) {
      g.addInitializer(Models.floats("scales", new long[] {scales.length}, scales));
    } else {
      g.addInitializer(Models.int64s("sizes", new long[] {sizes.length}, sizes));
    }
    return Models.write(dir.resolve(name + ".onnx"), g.build(), opset);
  }

  static Object[] box(long[] dims) {
    Object[] o = new Object[dims.length];
    for (int i = 0; i < dims.length; i++) {
      o[i] = dims[i];
    }
    return o;
  }

  FixReport fix(Path src, String... releases) {
    Path out = dir.resolve(src.getFileName().toString().replace(".onnx", "-fixed.onnx"));
    return new ModelFixer(CHECKER, "test").fix(FixRequest.of(src, out).withReleases(List.of(releases)));
  }

  static String verdict(FixReport r, String release, boolean after) {
    return FixPassesTest.verdict(r, release, after);
  }

  static NodeProto resizeOrIdentity(Path fixed) throws IOException {
    ModelProto m = Models.read(fixed);
    return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Resize")).findFirst()
        .orElse(null);
  }

  static Path fixedPath(FixReport r) {
    return Path.of(r.output());
  }

  @Test
  void nearestHalfPixelUpsampleByIntegerFactorBecomesAsymmetricFloorFor70() throws IOException {
    // (x + 0.5) / 3 - 0.5 lies strictly between k - 1/2 and k + 1/2 for x = 3k + r, so it rounds to k = floor(x / 3)
    Path src = model("nearest_half_pixel", 13, new long[] {1, 1, 4, 5}, new long[] {1, 1, 12, 15},
        new float[] {1, 1, 3, 3}, null, "mode", "nearest", "coordinate_transformation_mode", "half_pixel",
        "nearest_mode", "round_prefer_ceil");
    FixReport r = fix(src, "7.0", "7.1", "8.6");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(r.passesApplied()).contains("resize");
    assertThat(verdict(r, "7.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.1", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    assertThat(verdict(r, "7.1", true)).isEqualTo("compatible");
    assertThat(verdict(r, "8.6", true)).isEqualTo("compatible");
    NodeProto n = resizeOrIdentity(fixedPath(r));
    assertThat(Attrs.s(n, "coordinate_transformation_mode", "")).isEqualTo("asymmetric");
    assertThat(Attrs.s(n, "nearest_mode", "")).isEqualTo("floor");
    assertThat(r.passes()).filteredOn(p -> p.name().equals("resize")).singleElement()
        .satisfies(p -> assertThat(p.findingsRemoved())
            .anyMatch(f -> f.startsWith("attribute_values.coordinate_transformation_mode"))
            .anyMatch(f -> f.startsWith("attribute_values.nearest_mode")));
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
  }

  @Test
  void aReleaseThatAcceptsTheFormKeepsIt() throws IOException {
    Path src = model("nearest_kept", 13, new long[] {1, 1, 4, 5}, new long[] {1, 1, 12, 15},
        new float[] {1, 1, 3, 3}, null, "mode", "nearest", "coordinate_transformation_mode", "half_pixel",
        "nearest_mode", "round_prefer_ceil");
    FixReport r = fix(src, "8.6");
    assertThat(r.passesApplied()).doesNotContain("resize");
    assertThat(Attrs.s(resizeOrIdentity(fixedPath(r)), "coordinate_transformation_mode", ""))
        .isEqualTo("half_pixel");
  }

  @Test
  void linearResizeToItsOwnSizeIsAnIdentityAndDisappears() throws IOException {
    // what torchvision's detection transform exports at a fixed 320x320 input: bilinear, half_pixel, same size
    Path src = model("identity", 11, new long[] {1, 3, 6, 7}, new long[] {1, 3, 6, 7}, null,
        new long[] {1, 3, 6, 7}, "mode", "linear", "coordinate_transformation_mode", "pytorch_half_pixel");
    FixReport r = fix(src, "7.0", "9.3");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "7.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    assertThat(Models.read(fixedPath(r)).getGraph().getNodeList()).extracting(NodeProto::getOpType)
        .doesNotContain("Resize");
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
  }

  @Test
  void nearestDownsampleWithRoundingThatIsFloorBecomesFloor() throws IOException {
    // asymmetric x / 0.5 = 2x is an integer: round_prefer_floor and floor pick the same input
    Path src = model("nearest_down", 13, new long[] {1, 1, 8, 6}, new long[] {1, 1, 4, 3},
        new float[] {1, 1, 0.5f, 0.5f}, null, "mode", "nearest", "coordinate_transformation_mode", "asymmetric");
    FixReport r = fix(src, "7.0");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "7.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    assertThat(Attrs.s(resizeOrIdentity(fixedPath(r)), "nearest_mode", "")).isEqualTo("floor");
  }

  @Test
  void formsWithoutAnEquivalentAreLeftWithANote() throws IOException {
    // bilinear 2x with align_corners: asymmetric samples other coordinates, so 7.0 stays incompatible
    Path linear = model("align_corners", 13, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8},
        new float[] {1, 1, 2, 2}, null, "mode", "linear", "coordinate_transformation_mode", "align_corners");
    FixReport r = fix(linear, "7.0");
    assertThat(r.passesApplied()).doesNotContain("resize");
    assertThat(verdict(r, "7.0", true)).isEqualTo("incompatible");
    assertThat(r.notes()).anyMatch(s -> s.startsWith("resize: Resize 'resize' (linear, align_corners")
        && s.contains("no equivalent form"));

    // nearest 2x down with half_pixel and ties to ceil reads odd inputs; floor-only releases read even ones
    Path nearest = model("half_pixel_ceil_down", 13, new long[] {1, 1, 8, 8}, new long[] {1, 1, 4, 4},
        new float[] {1, 1, 0.5f, 0.5f}, null, "mode", "nearest", "coordinate_transformation_mode", "half_pixel",
        "nearest_mode", "round_prefer_ceil");
    FixReport rn = fix(nearest, "7.0", "7.1");
    assertThat(rn.passesApplied()).doesNotContain("resize");
    assertThat(verdict(rn, "7.1", true)).isEqualTo("incompatible");
  }

  @Test
  void aFormThat71AcceptsIsNotTradedForOneOnly70Accepts() throws IOException {
    // linear align_corners with sizes, 4x5 -> 4x1: every source position is whole and agrees with asymmetric's. 7.1
    // rejects linear asymmetric with sizes (builtin_op_importers.cpp:2588@7994a464), so the rewrite 7.0 needs is
    // nearest asymmetric floor, which both accept (line 2584)
    Path src = model("linear_align_corners_sizes", 11, new long[] {1, 1, 4, 5}, new long[] {1, 1, 4, 1}, null,
        new long[] {1, 1, 4, 1}, "mode", "linear", "coordinate_transformation_mode", "align_corners");
    FixReport r = fix(src, "7.0", "7.1");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "7.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.1", false)).isNotEqualTo("incompatible");
    assertThat(verdict(r, "7.0", true)).isNotEqualTo("incompatible");
    assertThat(verdict(r, "7.1", true)).isEqualTo(verdict(r, "7.1", false));
    NodeProto n = resizeOrIdentity(fixedPath(r));
    assertThat(Attrs.s(n, "mode", "")).isEqualTo("nearest");
    assertThat(Attrs.s(n, "coordinate_transformation_mode", "")).isEqualTo("asymmetric");
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();

    // the opposite direction is checked too: linear asymmetric with sizes is rejected by 7.1 before any fix
    Path asym = model("linear_asymmetric_sizes", 11, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8}, null,
        new long[] {1, 1, 8, 8}, "mode", "linear", "coordinate_transformation_mode", "asymmetric");
    assertThat(verdict(fix(asym, "7.1"), "7.1", false)).isEqualTo("incompatible");
  }

  @Test
  void nearestAlignCornersWithScalesBecomesSizesFor71() throws IOException {
    // 7.1 takes nearest align_corners only with sizes (builtin_op_importers.cpp:2584 vs 2606@7994a464); no
    // coordinate mode 7.1 takes with scales reads the same inputs (asymmetric floor reads 0,0,1,1,2,2,3,3 where
    // align_corners floor reads 0,0,0,1,1,2,2,3); 8 / 4 is the scale 2 exactly
    Path src = model("nearest_ac_scales", 13, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8},
        new float[] {1, 1, 2, 2}, null, "mode", "nearest", "coordinate_transformation_mode", "align_corners",
        "nearest_mode", "floor");
    FixReport r = rewrittenFor71(src);
    ModelProto fixed = Models.read(fixedPath(r));
    NodeProto n = resizeOrIdentity(fixedPath(r));
    // opset-downgrade moves the model to 7.1's opset 11 first, where the scales slot holds an empty tensor
    assertThat(fixed.getOpsetImport(0).getVersion()).isEqualTo(11);
    assertThat(n.getInputList()).hasSize(4);
    assertThat(initializer(fixed, n.getInput(2)).getDims(0)).isZero();
    assertThat(Attrs.s(n, "coordinate_transformation_mode", "")).isEqualTo("align_corners");
    assertThat(Tensors.longs(Tensors.decode(initializer(fixed, n.getInput(3))).orElseThrow()))
        .containsExactly(1L, 1L, 8L, 8L);
    assertThat(r.notes()).anyMatch(s -> s.contains("scales given as sizes"));
  }

  @Test
  void linearAlignCornersWithScalesBecomesSizesFor71AtOpset11() throws IOException {
    // 7.1 takes linear align_corners only with sizes (line 2588 vs 2610); opset 11 requires the scales input, so
    // an empty tensor keeps the slot
    Path src = model("linear_ac_scales", 11, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8},
        new float[] {1, 1, 2, 2}, null, "mode", "linear", "coordinate_transformation_mode", "align_corners");
    FixReport r = rewrittenFor71(src);
    ModelProto fixed = Models.read(fixedPath(r));
    NodeProto n = resizeOrIdentity(fixedPath(r));
    assertThat(n.getInputList()).hasSize(4);
    assertThat(initializer(fixed, n.getInput(2)).getDims(0)).isZero();
  }

  @Test
  void linearAsymmetricWithSizesBecomesScalesFor71() throws IOException {
    // 7.1 takes linear asymmetric only with scales (line 2610 vs 2588); 8 / 4 = 2 gives 8 outputs in float32 and 64
    Path src = model("linear_asym_sizes", 11, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8}, null,
        new long[] {1, 1, 8, 8}, "mode", "linear", "coordinate_transformation_mode", "asymmetric");
    FixReport r = rewrittenFor71(src);
    ModelProto fixed = Models.read(fixedPath(r));
    NodeProto n = resizeOrIdentity(fixedPath(r));
    assertThat(n.getInputList()).hasSize(3);
    assertThat(Tensors.doubles(Tensors.decode(initializer(fixed, n.getInput(2))).orElseThrow()))
        .containsExactly(1, 1, 2, 2);
    assertThat(Attrs.s(n, "coordinate_transformation_mode", "")).isEqualTo("asymmetric");
  }

  static TensorProto initializer(ModelProto m, String name) {
    return m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElseThrow();
  }

  /** Fixed for 7.1 alone: rejected before, accepted after, and ONNX Runtime gives the same outputs exactly. */
  FixReport rewrittenFor71(Path src) {
    FixReport r = fix(src, "7.1");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "7.1", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.1", true)).isIn("compatible", "compatible_with_warnings");
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
    assertThat(r.passesApplied()).contains("resize");
    return r;
  }

  @Test
  void formsWhoseOtherFormWouldComputeSomethingElseStay() throws IOException {
    // 1.7 on an axis of 5 gives 8 outputs, but sizes 8 would use 8/5 = 1.6: other coordinates, so no sizes
    Path src = model("linear_ac_inexact", 13, new long[] {1, 1, 5, 5}, new long[] {1, 1, 8, 8},
        new float[] {1, 1, 1.7f, 1.7f}, null, "mode", "linear", "coordinate_transformation_mode", "align_corners");
    FixReport r = fix(src, "7.1");
    assertThat(r.passesApplied()).doesNotContain("resize");
    assertThat(verdict(r, "7.1", true)).isEqualTo("incompatible");
    assertThat(r.notes()).anyMatch(s -> s.contains("no equivalent form") && s.contains("sizes instead")
        && s.contains("not that scale"));

    // sizes 7 on an axis of 3: 7/3 = 2.3333333f gives 7 in float32 but 6.99999976 in float64
    Path sizes = model("linear_asym_inexact", 11, new long[] {1, 1, 3, 3}, new long[] {1, 1, 7, 7}, null,
        new long[] {1, 1, 7, 7}, "mode", "linear", "coordinate_transformation_mode", "asymmetric");
    FixReport rs = fix(sizes, "7.1");
    assertThat(rs.passesApplied()).doesNotContain("resize");
    assertThat(verdict(rs, "7.1", true)).isEqualTo("incompatible");
    assertThat(rs.notes()).anyMatch(s -> s.contains("scales instead") && s.contains("in float64"));
  }

  @Test
  void anEmptySizesIsRejectedWhereTheImporterCountsInputs() throws IOException {
    // [x, roi, scales, ""]: 7.0-8.2 take the sizes path on the input count and convert a null sizes; 8.4 does not
    Path src = model("empty_sizes", 11, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8}, new float[] {1, 1, 2, 2},
        null, "mode", "nearest", "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor");
    FixGraph g = new FixGraph(Models.read(src));
    List<ReleaseRules> targets =
        Stream.of("7.1", "8.2", "8.4").map(r -> CHECKER.knowledgeBase().release(r).orElseThrow()).toList();
    ResizeAcceptance acceptance = new ResizeAcceptance(targets, g);
    assertThat(acceptance.accepting(g.nodes.get(0))).containsExactly("7.1", "8.2", "8.4");
    assertThat(acceptance.accepting(g.nodes.get(0).toBuilder().addInput("").build())).containsExactly("8.4");
  }

  @Test
  void atOpset13TheOtherFormLeavesTheScalesNameEmptyAndOnnxRuntimeAgreesBothWays() throws IOException {
    // reached by the pipeline only where no downgrade to 7.1's opset 11 happens; ONNX Runtime reads both the same
    Path scales = model("form_scales_13", 13, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8},
        new float[] {1, 1, 2, 2}, null, "mode", "linear", "coordinate_transformation_mode", "align_corners");
    Path sizes = model("form_sizes_13", 13, new long[] {1, 1, 4, 4}, new long[] {1, 1, 8, 8}, null,
        new long[] {1, 1, 8, 8}, "mode", "linear", "coordinate_transformation_mode", "align_corners");
    for (Path src : List.of(scales, sizes)) {
      FixGraph g = new FixGraph(Models.read(src));
      ResizeForms.Swap swap = ResizeForms.other(g.nodes.get(0), g, Analysis.of(g));
      assertThat(swap.whyNot()).isNull();
      swap.initializers().forEach((name, t) -> g.initializers.put(name, Tensors.encode(name, t)));
      NodeProto before = g.nodes.get(0);
      g.nodes.set(0, swap.node());
      if (ResizeForms.hasSizes(before)) {
        assertThat(swap.node().getInputList()).hasSize(3);
      } else {
        assertThat(swap.node().getInputList()).hasSize(4);
        assertThat(swap.node().getInput(2)).isEmpty();
      }
      Path swapped = dir.resolve("swapped-" + src.getFileName());
      Files.write(swapped, g.toModel().toByteArray());
      assertThat(run(swapped)).as(src.toString()).containsExactly(run(src));
    }
  }

  static double[] run(Path model) {
    float[] x = new float[16];
    for (int i = 0; i < x.length; i++) {
      x[i] = i * i - 3.25f * i;
    }
    return new ReferenceRunner().run(ReferenceRequest.of(model).withRuns(1).withWarmup(0).withThreads(1)
        .withGivenInputs(Map.of("x", HostTensor.ofFloats("x", new long[] {1, 1, 4, 4}, x)))).outputTensors()
        .values().iterator().next().toDoubles();
  }

  @Test
  void antialiasOnAnUpsampleIsDroppedFor10() throws IOException {
    Path src = model("antialias_up", 18, new long[] {1, 1, 3, 4}, new long[] {1, 1, 6, 8},
        new float[] {1, 1, 2, 2}, null, "mode", "linear", "antialias", 1);
    FixReport r = fix(src, "10.0");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "10.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "10.0", true)).isNotEqualTo("incompatible");
    assertThat(Attrs.find(resizeOrIdentity(fixedPath(r)), "antialias")).isNull();
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isLessThan(1e-6);

    Path down = model("antialias_down", 18, new long[] {1, 1, 8, 8}, new long[] {1, 1, 4, 4},
        new float[] {1, 1, 0.5f, 0.5f}, null, "mode", "linear", "antialias", 1);
    FixReport rd = fix(down, "10.0");
    assertThat(rd.passesApplied()).doesNotContain("resize");
    assertThat(rd.notes()).anyMatch(s -> s.contains("antialias on a shrinking axis"));
  }

  @Test
  void cubicDownsampleAtWholeCoordinatesBecomesNearestBefore85() throws IOException {
    // asymmetric x / 0.5 = 2x: cubic weighs input 2x by exactly 1, which is what nearest reads
    Path src = model("cubic_down", 13, new long[] {1, 1, 8, 6}, new long[] {1, 1, 4, 3},
        new float[] {1, 1, 0.5f, 0.5f}, null, "mode", "cubic", "coordinate_transformation_mode", "asymmetric",
        "exclude_outside", 1);
    FixReport r = fix(src, "8.4", "8.5");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "8.4", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "8.4", true)).isEqualTo("compatible");
    assertThat(Attrs.s(resizeOrIdentity(fixedPath(r)), "mode", "")).isEqualTo("nearest");
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isLessThan(1e-6);
  }

  @Test
  void coordinatesFollowTheOnnxFormulasInFloat32() {
    assertThat(ResizeCoordinates.original("half_pixel", 0, 2f, 4, 8)).isEqualTo(-0.25f);
    assertThat(ResizeCoordinates.original("pytorch_half_pixel", 0, 0.25f, 4, 1)).isZero();
    assertThat(ResizeCoordinates.original("align_corners", 3, 2f, 4, 8)).isEqualTo(3f * 3 / 7);
    assertThat(ResizeCoordinates.round("round_prefer_floor", 2.5f)).isEqualTo(2);
    assertThat(ResizeCoordinates.round("round_prefer_ceil", 2.5f)).isEqualTo(3);
    assertThat(ResizeCoordinates.round("round_prefer_floor", 2.51f)).isEqualTo(3);
    assertThat(ResizeCoordinates.round("ceil", 2.01f)).isEqualTo(3);
  }

  @Test
  void passIsIdempotentOnItsOwnOutput() throws IOException {
    Path src = model("idempotent", 13, new long[] {1, 1, 4, 5}, new long[] {1, 1, 12, 15},
        new float[] {1, 1, 3, 3}, null, "mode", "nearest");
    FixReport r = fix(src, "7.0");
    assertThat(r.passesApplied()).contains("resize");
    Path again = dir.resolve("again.onnx");
    FixReport r2 = new ModelFixer(CHECKER, "test").fix(FixRequest.of(fixedPath(r), again)
        .withReleases(List.of("7.0")));
    assertThat(r2.passesApplied()).doesNotContain("resize");
    assertThat(Files.exists(again)).isTrue();
  }
}
