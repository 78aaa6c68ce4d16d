package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static dev.trtcompat.fix.ResizePassTest.box;
import static dev.trtcompat.fix.ResizePassTest.verdict;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.google.protobuf.ByteString;
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
 * The Resize pass on Resize-10 and Upsample-7/9 models built here: their sources as ONNX Runtime computes them,
 * and the rewrites 7.0-8.2 gain from (known scales as an initializer, an Identity), with verdicts before and after
 * and ONNX Runtime equivalence.
 */
class LegacyResizePassTest {

  @TempDir Path dir;

  /** Where the scales come from. */
  enum Scales {
    /** Concat of two initializers: known to the fixer; the checker folds it too and only warns. */
    FOLDED,
    /** out / Cast(Shape(Conv(x))): known to the fixer at static shapes, run time to the checker. */
    FROM_SHAPE,
    /** a graph input: known to nobody. */
    INPUT
  }

  /** x [in] -> op(x, scales) -> y [out] at {@code opset}; scales as {@code how} says (FROM_SHAPE: out / in). */
  Path model(String name, String op, long opset, String mode, long[] in, long[] out, float[] scales, Scales how)
      throws IOException {
    AttributeProto m = AttributeProto.newBuilder().setName("mode").setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(mode)).build();
    GraphProto.Builder g = GraphProto.newBuilder().setName(name)
        .addInput(value("x", FLOAT, box(in)))
        .addOutput(value("y", FLOAT, box(out)));
    switch (how) {
      case INPUT -> g.addInput(value("scales", FLOAT, (long) scales.length));
      case FOLDED -> {
        g.addNode(node("Concat", "concat", new String[] {"s0", "s1"}, new String[] {"scales"}, Models.i("axis", 0)));
        g.addInitializer(Models.floats("s0", new long[] {2}, scales[0], scales[1]));
        g.addInitializer(Models.floats("s1", new long[] {2}, scales[2], scales[3]));
      }
      case FROM_SHAPE -> {
        float[] target = new float[out.length];
        for (int i = 0; i < target.length; i++) {
          target[i] = out[i];
        }
        g.addInitializer(Models.floats("target", new long[] {out.length}, target));
        // the Shape of a Conv output: a shape the checker's own analysis does not compute, so it calls the scales
        // run-time (an error), while the fixer's analysis knows them
        long c = in[1];
        g.addInitializer(Models.floats("w", new long[] {c, c, 1, 1}, new float[(int) (c * c)]));
        g.addNode(node("Conv", "conv", new String[] {"x", "w"}, new String[] {"x_conv"}));
        g.addNode(node("Shape", "shape", new String[] {"x_conv"}, new String[] {"shape_x"}));
        g.addNode(node("Cast", "cast", new String[] {"shape_x"}, new String[] {"shape_f"}, Models.i("to", FLOAT)));
        g.addNode(node("Div", "div", new String[] {"target", "shape_f"}, new String[] {"scales"}));
      }
      default -> throw new IllegalArgumentException(how.name());
    }
    g.addNode(node(op, "resize", new String[] {"x", "scales"}, new String[] {"y"}, m));
    return Models.write(dir.resolve(name + ".onnx"), g.build(), opset);
  }

  /** Only the resize pass (and clean-up), so that fold-constants does not make the scales an initializer first. */
  FixReport fix(Path src, String... releases) {
    Path out = dir.resolve(src.getFileName().toString().replace(".onnx", "-fixed.onnx"));
    return new ModelFixer(ResizePassTest.CHECKER, "test").fix(FixRequest.of(src, out)
        .withReleases(List.of(releases)).withPasses(List.of(ResizePass.NAME, "clean-up")));
  }

  static NodeProto only(Path fixed, String op) throws IOException {
    ModelProto m = Models.read(fixed);
    return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).findFirst().orElse(null);
  }

  @Test
  void resize10WithComputedScalesGetsAnInitializerFor70To82() throws IOException {
    Path src = model("resize10", "Resize", 10, "nearest", new long[] {1, 1, 3, 4}, new long[] {1, 1, 6, 8},
        null, Scales.FROM_SHAPE);
    FixReport r = fix(src, "7.0", "8.2", "8.6");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(r.passesApplied()).contains("resize");
    assertThat(verdict(r, "7.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "8.2", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    assertThat(verdict(r, "8.2", true)).isEqualTo("compatible");
    assertThat(verdict(r, "8.6", true)).isEqualTo("compatible");
    ModelProto fixed = Models.read(Path.of(r.output()));
    NodeProto n = only(Path.of(r.output()), "Resize");
    assertThat(fixed.getGraph().getInitializerList()).anyMatch(t -> t.getName().equals(n.getInput(1)));
    assertThat(r.passes()).filteredOn(p -> p.name().equals("resize")).singleElement()
        .satisfies(p -> assertThat(p.findingsRemoved()).anyMatch(f -> f.startsWith("constant_input.scales")));
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
  }

  @Test
  void upsample9LinearWithComputedScalesGetsAnInitializer() throws IOException {
    Path src = model("upsample9", "Upsample", 9, "linear", new long[] {1, 2, 3, 5}, new long[] {1, 2, 4, 7},
        null, Scales.FROM_SHAPE);
    FixReport r = fix(src, "7.0");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "7.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    assertThat(only(Path.of(r.output()), "Div")).isNull();
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
  }

  @Test
  void foldableScalesTheCheckerOnlyWarnsAboutBecomeAnInitializerToo() throws IOException {
    Path src = model("folded", "Upsample", 9, "nearest", new long[] {1, 1, 3, 4}, new long[] {1, 1, 6, 8},
        new float[] {1, 1, 2, 2}, Scales.FOLDED);
    FixReport r = fix(src, "7.0");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "7.0", false)).isEqualTo("compatible_with_warnings");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    assertThat(only(Path.of(r.output()), "Concat")).isNull();
  }

  @Test
  void upsampleByOneIsAnIdentity() throws IOException {
    Path src = model("upsample_one", "Upsample", 9, "nearest", new long[] {1, 1, 3, 4}, new long[] {1, 1, 3, 4},
        null, Scales.FROM_SHAPE);
    FixReport r = fix(src, "7.0");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(verdict(r, "7.0", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    // graph input straight to graph output: clean-up keeps that one Identity, the scales' nodes are gone
    assertThat(Models.read(Path.of(r.output())).getGraph().getNodeList()).extracting(NodeProto::getOpType)
        .containsExactly("Identity");
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
  }

  @Test
  void scalesFedAtRunTimeAreLeftWithANote() throws IOException {
    // libonnx-testdata's test_upsample_nearest has this form: Upsample-9 whose scales are a graph input
    Path src = model("upsample_input", "Upsample", 9, "nearest", new long[] {1, 1, 2, 2}, new long[] {1, 1, 4, 6},
        new float[] {1, 1, 2, 3}, Scales.INPUT);
    FixReport r = fix(src, "7.0");
    assertThat(r.passesApplied()).doesNotContain("resize");
    assertThat(verdict(r, "7.0", true)).isEqualTo("incompatible");
    assertThat(r.notes()).anyMatch(s -> s.startsWith("resize: Upsample 'resize' left as it is")
        && s.contains("computed at run time"));
  }

  @Test
  void aReleaseThatAcceptsTheFormKeepsIt() throws IOException {
    Path src = model("kept", "Resize", 10, "nearest", new long[] {1, 1, 3, 4}, new long[] {1, 1, 6, 8},
        null, Scales.FROM_SHAPE);
    FixReport r = fix(src, "8.6");
    assertThat(r.passesApplied()).doesNotContain("resize");
    assertThat(only(Path.of(r.output()), "Div")).isNotNull();
  }

  @Test
  void inexactScalesAreMadeToGiveOneOutputLength() throws IOException {
    // PyTorch's opset-9 export of interpolate(size=7) on an axis of 3 writes 7/3 as 2.3333333f: 3 times that is 7 in
    // float32 (ONNX Runtime) but just under 7 in float64 (the ONNX reference), so engines may disagree on the length
    Path src = model("inexact", "Upsample", 9, "nearest", new long[] {1, 1, 2, 3}, new long[] {1, 1, 4, 7},
        new float[] {1, 1, 2, 7f / 3}, Scales.FOLDED);
    assertThat((long) Math.floor(3.0 * (7f / 3))).isEqualTo(6);
    FixReport r = fix(src, "8.6");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(r.passesApplied()).contains("resize");
    assertThat(r.notes()).anyMatch(n -> n.startsWith("resize: Upsample 'resize': scales") && n.contains("inexact"));
    ModelProto fixed = Models.read(Path.of(r.output()));
    String scales = only(Path.of(r.output()), "Upsample").getInput(1);
    float w = (float) Tensors.doubles(Tensors.decode(fixed.getGraph().getInitializerList().stream()
        .filter(t -> t.getName().equals(scales)).findFirst().orElseThrow()).orElseThrow())[3];
    assertThat(w).isGreaterThan(7f / 3);
    assertThat((long) Math.floor(3.0 * w)).isEqualTo(7);
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
    assertThat(fix(Path.of(r.output()), "8.6").passesApplied()).doesNotContain("resize");
  }

  @Test
  void upsample7ScalesAttributeIsNudgedToo() throws IOException {
    AttributeProto scales = AttributeProto.newBuilder().setName("scales").setType(AttributeProto.AttributeType.FLOATS)
        .addFloats(1).addFloats(1).addFloats(2).addFloats(7f / 3).build();
    GraphProto g = GraphProto.newBuilder().setName("upsample7")
        .addNode(node("Upsample", "resize", new String[] {"x"}, new String[] {"y"}, scales))
        .addInput(value("x", FLOAT, 1L, 1L, 2L, 3L))
        .addOutput(value("y", FLOAT, 1L, 1L, 4L, 7L)).build();
    FixReport r = fix(Models.write(dir.resolve("upsample7.onnx"), g, 7), "8.6");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    float w = Attrs.find(only(Path.of(r.output()), "Upsample"), "scales").getFloats(3);
    assertThat((long) Math.floor(3.0 * w)).isEqualTo(7);
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isZero();
  }

  @Test
  void passIsIdempotentOnItsOwnOutput() throws IOException {
    Path src = model("idempotent", "Upsample", 9, "nearest", new long[] {1, 1, 3, 4}, new long[] {1, 1, 6, 8},
        null, Scales.FROM_SHAPE);
    FixReport r = fix(src, "7.0");
    assertThat(r.passesApplied()).contains("resize");
    FixReport again = fix(Path.of(r.output()), "7.0");
    assertThat(again.passesApplied()).doesNotContain("resize");
    assertThat(verdict(again, "7.0", true)).isEqualTo("compatible");
  }

  /**
   * The sources {@link LegacyResize} computes are the ones ONNX Runtime reads: fed 0, 1, 2, ... along one axis,
   * each output is the input index it read (nearest: truncation growing, rounding up shrinking, by x / scale in
   * float32), or the coordinate it interpolated at (linear).
   */
  @Test
  void sourcesAreWhatOnnxRuntimeReads() throws IOException {
    record Case(String op, long opset, String mode, long in, long out, float scale) {}
    List<Case> cases = List.of(
        new Case("Resize", 10, "nearest", 5, 3, 0.6f),
        new Case("Resize", 10, "nearest", 7, 2, 0.3f),
        new Case("Resize", 10, "nearest", 4, 6, 1.5f),
        new Case("Resize", 10, "linear", 5, 7, 1.5f),
        new Case("Resize", 10, "linear", 6, 4, 0.7f),
        new Case("Upsample", 9, "nearest", 3, 7, 7f / 3),
        new Case("Upsample", 9, "linear", 4, 9, 2.25f));
    for (Case c : cases) {
      String name = c.op() + c.opset() + "_" + c.mode() + "_" + c.in() + "_" + c.out();
      Path src = model(name, c.op(), c.opset(), c.mode(), new long[] {1, 1, 1, c.in()},
          new long[] {1, 1, 1, c.out()}, new float[] {1, 1, 1, c.scale()}, Scales.FOLDED);
      FixGraph g = new FixGraph(Models.read(src));
      NodeProto resize = g.nodes.stream().filter(n -> n.getOpType().equals(c.op())).findFirst().orElseThrow();
      ResizeCoordinates rc = ResizeCoordinates.of(resize, Analysis.of(g));
      assertThat(rc).as(name).isNotNull();
      float[] ramp = new float[(int) c.in()];
      for (int i = 0; i < ramp.length; i++) {
        ramp[i] = i;
      }
      Map<String, HostTensor> feed = Map.of("x", HostTensor.ofFloats("x", new long[] {1, 1, 1, c.in()}, ramp));
      double[] y = new ReferenceRunner().run(ReferenceRequest.of(src).withRuns(1).withWarmup(0).withThreads(1)
          .withGivenInputs(feed)).outputTensors().values().iterator().next().toDoubles();
      float[] expected = rc.sourcesOf(3);
      assertThat(y).as(name).hasSize(expected.length);
      for (int k = 0; k < y.length; k++) {
        assertThat(y[k]).as(name + " output " + k).isCloseTo(expected[k], offset(1e-6));
      }
    }
  }
}
