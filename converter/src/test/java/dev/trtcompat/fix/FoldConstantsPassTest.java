package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.INT64;
import static dev.trtcompat.fix.Models.floats;
import static dev.trtcompat.fix.Models.i;
import static dev.trtcompat.fix.Models.int64s;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.tensor;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Constant folding beyond the Shape chain of {@link FixPassesTest}: Range, ConstantOfShape, Expand, Tile, Cast and
 * arithmetic computing the inputs the parser reads only from initializers (TopK K, Resize scales, Reduce and
 * Unsqueeze axes, Clip min/max), with the checker's constant_input findings before and after and ONNX Runtime
 * equivalence.
 */
class FoldConstantsPassTest {

  @TempDir Path dir;

  /**
   * Clip(x, min = -1 * 0.5, max = Cast(1)), Resize scales = Concat(Expand([1], [2]), Tile([2], [2])), ReduceSum
   * axes = Range(3, 4, 1), Unsqueeze axes = ConstantOfShape([1]) of 0, TopK K = 2 + 2 (not 3, which clean-up would merge with
   * the equal Range). Opset 13: every one of those
   * is an input.
   */
  Path model() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("parser-inputs")
        .addNode(node("Mul", "min_mul", new String[] {"half", "minus1"}, new String[] {"mn"}))
        .addNode(node("Cast", "max_cast", new String[] {"one_i"}, new String[] {"mx"}, i("to", FLOAT)))
        .addNode(node("Clip", "clip", new String[] {"x", "mn", "mx"}, new String[] {"c"}))
        .addNode(node("Expand", "ones", new String[] {"onef", "two_shape"}, new String[] {"s_lo"}))
        .addNode(node("Tile", "twos", new String[] {"twof", "two_reps"}, new String[] {"s_hi"}))
        .addNode(node("Concat", "scales_cat", new String[] {"s_lo", "s_hi"}, new String[] {"scales"}, i("axis", 0)))
        .addNode(node("Resize", "resize", new String[] {"c", "", "scales"}, new String[] {"r"}))
        .addNode(node("Range", "axes_range", new String[] {"three", "four", "one_s"}, new String[] {"rax"}))
        .addNode(node("ReduceSum", "sum", new String[] {"r", "rax"}, new String[] {"s"}, i("keepdims", 0)))
        .addNode(node("ConstantOfShape", "axes_cos", new String[] {"one_shape"}, new String[] {"uax"},
            tensor("value", int64s("", new long[] {1}, 0))))
        .addNode(node("Unsqueeze", "unsq", new String[] {"s", "uax"}, new String[] {"u"}))
        .addNode(node("Add", "k_add", new String[] {"k1", "k2"}, new String[] {"k"}))
        .addNode(node("TopK", "topk", new String[] {"u", "k"}, new String[] {"y", "idx"}, i("axis", -1)))
        .addInitializer(floats("half", new long[0], 0.5f))
        .addInitializer(floats("minus1", new long[0], -1f))
        .addInitializer(int64s("one_i", new long[0], 1))
        .addInitializer(floats("onef", new long[] {1}, 1f))
        .addInitializer(int64s("two_shape", new long[] {1}, 2))
        .addInitializer(floats("twof", new long[] {1}, 2f))
        .addInitializer(int64s("two_reps", new long[] {1}, 2))
        .addInitializer(int64s("three", new long[0], 3))
        .addInitializer(int64s("four", new long[0], 4))
        .addInitializer(int64s("one_s", new long[0], 1))
        .addInitializer(int64s("one_shape", new long[] {1}, 1))
        .addInitializer(int64s("k1", new long[] {1}, 2))
        .addInitializer(int64s("k2", new long[] {1}, 2))
        .addInput(value("x", FLOAT, 1, 1, 4, 4))
        .addOutput(value("y", FLOAT, 1, 1, 1, 4))
        .build();
    return Models.write(dir.resolve("parser-inputs.onnx"), g, 13);
  }

  static float[] ramp(int n) {
    float[] v = new float[n];
    for (int k = 0; k < n; k++) {
      v[k] = (k * 7 % 11) * 0.2f - 1f;
    }
    return v;
  }

  @Test
  void computedParserInputsBecomeInitializersAndTheirFindingsGo() throws IOException {
    Path src = model();
    Path out = dir.resolve("fixed.onnx");
    String release = "8.0";
    FixReport r = new ModelFixer(CompatibilityChecker.bundled(), "test").fix(FixRequest.of(src, out)
        .withReleases(List.of(release)).withPasses(List.of("fold-constants", "clean-up"))
        .withGivenInputs(Map.of("x", HostTensor.ofFloats("x", new long[] {1, 1, 4, 4}, ramp(16)))));

    assertThat(r.status()).as(String.valueOf(r.refusal())).isEqualTo("fixed");
    assertThat(r.proven()).as(r.unprovenReason()).isTrue();
    assertThat(r.equivalence().outputs()).singleElement().satisfies(o -> assertThat(o.maxAbsError()).isZero());
    ModelProto m = Models.read(out);
    assertThat(m.getGraph().getNodeList()).extracting(NodeProto::getOpType)
        .containsExactly("Clip", "Resize", "ReduceSum", "Unsqueeze", "TopK");
    Map<String, TensorProto> inits = m.getGraph().getInitializerList().stream()
        .collect(Collectors.toMap(TensorProto::getName, t -> t));
    assertThat(inits).containsOnlyKeys("mn", "mx", "scales", "rax", "uax", "k");
    assertThat(values(inits.get("scales"))).containsExactly(1.0, 1.0, 2.0, 2.0);
    assertThat(values(inits.get("mn"))).containsExactly(-0.5);
    assertThat(values(inits.get("mx"))).containsExactly(1.0);
    assertThat(values(inits.get("rax"))).containsExactly(3.0);
    assertThat(values(inits.get("uax"))).containsExactly(0.0);
    assertThat(values(inits.get("k"))).containsExactly(4.0);
    assertThat(inits.get("k").getDataType()).isEqualTo(INT64);

    FixReport.ReleaseChange c = r.releases().stream().filter(x -> x.tensorrt().equals(release)).findFirst()
        .orElseThrow();
    List<String> removed = r.passes().stream().filter(p -> p.name().equals("fold-constants")).findFirst()
        .orElseThrow().findingsRemoved();
    // 8.0 warns of each computed input (its constant analysis can compute them, so no error) and of the INT64
    // initializers; folding removes the five constant_input warnings, the INT64 ones keep the verdict
    assertThat(removed).as(c.toString()).anySatisfy(f -> assertThat(f).startsWith("constant_input.K at node topk"))
        .anySatisfy(f -> assertThat(f).startsWith("constant_input.scales at node resize"))
        .anySatisfy(f -> assertThat(f).startsWith("constant_input.axes at node sum"))
        .anySatisfy(f -> assertThat(f).startsWith("constant_input.min at node clip"))
        .anySatisfy(f -> assertThat(f).startsWith("constant_input.max at node clip"));
    assertThat(c.before()).isEqualTo("compatible_with_warnings");
    assertThat(c.after()).isEqualTo("compatible_with_warnings");
    assertThat(c.remaining()).noneMatch(f -> f.startsWith("constant_input"));
  }

  @Test
  void topKFromTheShapeOfAConvOutputTurnsAnIncompatibleReleaseAccepting() throws IOException {
    // K = Shape(conv)[3] - 1: the checker's own analysis does not compute a Conv's output shape, so 8.0 calls K a
    // run-time value (an error); the pass infers the shape and folds K into an initializer
    float[] w = new float[18];
    for (int k = 0; k < w.length; k++) {
      w[k] = (k % 4) * 0.5f - 0.75f;
    }
    GraphProto g = GraphProto.newBuilder().setName("topk-k")
        .addNode(node("Conv", "conv", new String[] {"x", "w"}, new String[] {"c"}))
        .addNode(node("Shape", "shape", new String[] {"c"}, new String[] {"s"}))
        .addNode(node("Gather", "last", new String[] {"s", "three"}, new String[] {"d"}, i("axis", 0)))
        .addNode(node("Sub", "minus", new String[] {"d", "one"}, new String[] {"k"}))
        .addNode(node("TopK", "topk", new String[] {"c", "k"}, new String[] {"y", "idx"}, i("axis", -1)))
        .addInitializer(floats("w", new long[] {2, 1, 3, 3}, w))
        .addInitializer(int64s("three", new long[] {1}, 3))
        .addInitializer(int64s("one", new long[] {1}, 1))
        .addInput(value("x", FLOAT, 1, 1, 5, 5))
        .addOutput(value("y", FLOAT, 1, 2, 3, 2))
        .build();
    Path src = Models.write(dir.resolve("topk-k.onnx"), g, 13);
    Path out = dir.resolve("topk-k-fixed.onnx");
    FixReport r = new ModelFixer(CompatibilityChecker.bundled(), "test").fix(FixRequest.of(src, out)
        .withReleases(List.of("8.0")).withPasses(List.of("fold-constants", "clean-up")));
    assertThat(r.proven()).as(r.unprovenReason()).isTrue();
    assertThat(r.equivalence().outputs()).singleElement().satisfies(o -> assertThat(o.maxAbsError()).isZero());
    ModelProto m = Models.read(out);
    assertThat(m.getGraph().getNodeList()).extracting(NodeProto::getOpType).containsExactly("Conv", "TopK");
    TensorProto k = m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("k")).findFirst()
        .orElseThrow();
    assertThat(values(k)).containsExactly(2.0);
    FixReport.ReleaseChange c = r.releases().get(0);
    assertThat(c.before()).as(c.toString()).isEqualTo("incompatible");
    assertThat(c.after()).as(c.toString()).isEqualTo("compatible_with_warnings");
    assertThat(c.remaining()).noneMatch(f -> f.startsWith("constant_input"));
  }

  private static List<Double> values(TensorProto t) {
    HostTensor v = Tensors.decode(t).orElseThrow();
    return Arrays.stream(Tensors.doubles(v)).boxed().toList();
  }
}
