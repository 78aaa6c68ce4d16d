package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.INT64;
import static dev.trtcompat.fix.Models.i;
import static dev.trtcompat.fix.Models.int64s;
import static dev.trtcompat.fix.Models.ints;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.InvalidModelException;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.InputShapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every pass on a tiny model built here: what it rewrites, verdicts before and after, ONNX Runtime equivalence. */
class FixPassesTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  @TempDir Path dir;

  FixReport fix(Path model, FixRequest req) {
    return new ModelFixer(CHECKER, "test").fix(req);
  }

  static List<String> ops(ModelProto m) {
    return m.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
  }

  static String verdict(FixReport r, String release, boolean after) {
    return r.releases().stream().filter(c -> c.tensorrt().equals(release)).findFirst()
        .map(c -> after ? c.after() : c.before()).orElseThrow();
  }

  /**
   * Shape→Gather→Unsqueeze→Concat→Reshape on the input, and Pad pads computed from the Shape of a Conv output
   * (a shape the checker's own analysis does not compute, so it calls the pads run-time: an error).
   */
  Path foldModel() throws IOException {
    float[] w = new float[18];
    for (int k = 0; k < w.length; k++) {
      w[k] = (k % 5) * 0.25f - 0.5f;
    }
    GraphProto g = GraphProto.newBuilder().setName("fold")
        .addNode(node("Shape", "shape", new String[] {"x"}, new String[] {"s"}))
        .addNode(node("Constant", "zero", new String[] {}, new String[] {"zero"},
            Models.tensor("value", int64s("", new long[0], 0))))
        .addNode(node("Gather", "gather", new String[] {"s", "zero"}, new String[] {"g"}, i("axis", 0)))
        .addNode(node("Unsqueeze", "unsq", new String[] {"g"}, new String[] {"u"}, ints("axes", 0)))
        .addNode(node("Constant", "minus1", new String[] {}, new String[] {"m1"},
            Models.tensor("value", int64s("", new long[] {1}, -1))))
        .addNode(node("Concat", "concat", new String[] {"u", "m1"}, new String[] {"c"}, i("axis", 0)))
        .addNode(node("Reshape", "reshape", new String[] {"x", "c"}, new String[] {"r"}))
        .addNode(node("Conv", "conv", new String[] {"x", "w"}, new String[] {"y1"}))
        .addNode(node("Shape", "shape2", new String[] {"y1"}, new String[] {"s2"}))
        .addNode(node("Gather", "gather2", new String[] {"s2", "one"}, new String[] {"g2"}, i("axis", 0)))
        .addNode(node("Unsqueeze", "unsq2", new String[] {"g2"}, new String[] {"u2"}, ints("axes", 0)))
        .addNode(node("Concat", "concat2", new String[] {"z3", "u2", "z4"}, new String[] {"p"}, i("axis", 0)))
        .addNode(node("Pad", "pad", new String[] {"y1", "p"}, new String[] {"y"}))
        .addInitializer(Models.floats("w", new long[] {2, 1, 3, 3}, w))
        .addInitializer(int64s("one", new long[0], 1))
        .addInitializer(int64s("z3", new long[] {3}, 0, 0, 0))
        .addInitializer(int64s("z4", new long[] {4}, 0, 0, 0, 0))
        .addInput(value("x", FLOAT, 1, 1, 4, 4))
        .addOutput(value("r", FLOAT, 1, 16))
        .addOutput(value("y", FLOAT, 1, 2, 2, 4))
        .build();
    return Models.write(dir.resolve("fold.onnx"), g, 11);
  }

  @Test
  void foldsShapeChainsAndPadsIntoInitializersAndProvesEquivalence() throws IOException {
    Path src = foldModel();
    Path out = dir.resolve("fixed.onnx");
    // 8.0 is the newest release whose Pad importer needs pads as an initializer (8.2+ pads at run time through a
    // fill-mode slice, see docs/compat-matrix.md "corrections")
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("7.0", "8.0")));

    assertThat(r.status()).isEqualTo("fixed");
    assertThat(r.proven()).isTrue();
    assertThat(r.equivalence().outputs()).hasSize(2).allSatisfy(o -> {
      assertThat(o.passed()).isTrue();
      assertThat(o.maxAbsError()).isZero();
    });
    ModelProto m = Models.read(out);
    assertThat(ops(m)).containsExactly("Reshape", "Conv", "Pad");
    Map<String, TensorProto> inits = m.getGraph().getInitializerList().stream()
        .collect(Collectors.toMap(TensorProto::getName, t -> t));
    assertThat(inits).containsKeys("c", "p");
    assertThat(inits.get("p").getDataType()).isEqualTo(INT64);
    assertThat(r.passesApplied()).contains("fold-constants", "clean-up");
    assertThat(r.passes().stream().filter(p -> p.name().equals("fold-constants")).findFirst().orElseThrow()
        .findingsRemoved()).anySatisfy(f -> assertThat(f).startsWith("constant_input.pads at node pad (Pad)"));
    assertThat(verdict(r, "8.0", false)).isEqualTo("incompatible");
    // INT64 initializers left (Reshape shape, Pad pads are INT64-only in ONNX) keep the cast-down warning
    assertThat(verdict(r, "8.0", true)).isEqualTo("compatible_with_warnings");
    Map<String, String> meta = m.getMetadataPropsList().stream()
        .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
    assertThat(meta).containsEntry(ModelFixer.META_VERSION, "test")
        .containsEntry(ModelFixer.META_SOURCE, r.sourceSha256())
        .containsKey(ModelFixer.META_PASSES);
    assertThat(meta.get(ModelFixer.META_PASSES)).contains("fold-constants");
    assertNoTempFiles();
  }

  @Test
  void idempotentOnItsOwnOutput() throws IOException {
    Path src = foldModel();
    Path once = dir.resolve("once.onnx");
    fix(src, FixRequest.of(src, once));
    Path twice = dir.resolve("twice.onnx");
    FixReport r = fix(once, FixRequest.of(once, twice));
    assertThat(r.passesApplied()).isEmpty();
    assertThat(r.status()).isEqualTo("unchanged");
    assertThat(Models.read(twice).getGraph().getNodeList()).isEqualTo(Models.read(once).getGraph().getNodeList());
  }

  @Test
  void shapesFixDynamicInputsAndRemoveTheProfileWarning() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("dyn")
        .addNode(node("Relu", "relu", new String[] {"x"}, new String[] {"y"}))
        .addInput(value("x", FLOAT, "batch", 3))
        .addOutput(value("y", FLOAT, "batch", 3))
        .build();
    Path src = Models.write(dir.resolve("dyn.onnx"), g, 13);
    Path out = dir.resolve("dyn-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("8.6")).withShapes(InputShapes.parse("x:2x3")));
    assertThat(r.proven()).isTrue();
    assertThat(verdict(r, "8.6", false)).isEqualTo("compatible_with_warnings");
    assertThat(verdict(r, "8.6", true)).isEqualTo("compatible");
    ModelProto m = Models.read(out);
    assertThat(TypeShape.of(m.getGraph().getInput(0)).dims()).containsExactly(2, 3);
    assertThat(TypeShape.of(m.getGraph().getOutput(0)).dims()).containsExactly(2, 3);
    assertThat(r.passes().stream().filter(p -> p.name().equals("shapes")).findFirst().orElseThrow()
        .findingsRemoved()).anySatisfy(f -> assertThat(f).startsWith("input.dynamic_shape"));
  }

  @Test
  void int64IndicesBecomeInt32WhereTheyFitAndANoteNamesTheOneThatDoesNot() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("gather")
        .addNode(node("Gather", "g1", new String[] {"x", "idx"}, new String[] {"a"}, i("axis", 1)))
        .addNode(node("Add", "add", new String[] {"big", "one"}, new String[] {"b"}))
        .addNode(node("Cast", "cast", new String[] {"b"}, new String[] {"bf"}, i("to", FLOAT)))
        .addNode(node("Mul", "mul", new String[] {"a", "bf"}, new String[] {"y"}))
        .addInitializer(int64s("idx", new long[] {2}, 2, 0))
        .addInitializer(int64s("big", new long[] {1}, 1L << 40))
        .addInitializer(int64s("one", new long[] {1}, 1))
        .addInput(value("x", FLOAT, 2, 3))
        .addInput(value("z", FLOAT, 2))
        .addOutput(value("y", FLOAT, 2, 2))
        .build();
    Path src = Models.write(dir.resolve("gather.onnx"), g, 13);
    Path out = dir.resolve("gather-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("8.6"))
        .withPasses(List.of("int64-to-int32", "clean-up")));
    assertThat(r.proven()).isTrue();
    ModelProto m = Models.read(out);
    Map<String, Integer> types = m.getGraph().getInitializerList().stream()
        .collect(Collectors.toMap(TensorProto::getName, TensorProto::getDataType));
    assertThat(types).containsEntry("idx", 6).containsEntry("big", INT64);
    // 'big' (read by Add, which takes no INT32 here) keeps INT64 and 8.6's cast-down warning with it
    assertThat(verdict(r, "8.6", false)).isEqualTo("compatible_with_warnings");
    assertThat(verdict(r, "8.6", true)).isEqualTo("compatible_with_warnings");
    // the unused graph input z is removed by clean-up
    assertThat(m.getGraph().getInputList()).extracting(v -> v.getName()).containsExactly("x");
  }

  @Test
  void int64ValueTooLargeIsNamed() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("gather")
        .addNode(node("Gather", "g1", new String[] {"x", "idx"}, new String[] {"y"}, i("axis", 0)))
        .addInitializer(int64s("idx", new long[] {1}, (1L << 40)))
        .addInput(value("x", FLOAT, 2, 3))
        .addOutput(value("y", FLOAT, 1, 3))
        .build();
    Path src = Models.write(dir.resolve("big.onnx"), g, 13);
    FixGraph fg = new FixGraph(Models.read(src));
    FixContext ctx = new FixContext(InputShapes.NONE, java.util.Set.of());
    assertThat(new Int64ToInt32Pass().apply(fg, ctx)).isFalse();
    assertThat(ctx.notes).singleElement().asString().contains("'idx'").contains("does not fit in INT32");
  }

  @Test
  void cleanUpRemovesIdentityChainsDeadNodesAndDuplicates() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("clean")
        .addNode(node("Identity", "id1", new String[] {"x"}, new String[] {"i1"}))
        .addNode(node("Identity", "id2", new String[] {"i1"}, new String[] {"i2"}))
        .addNode(node("Add", "add1", new String[] {"i2", "w1"}, new String[] {"a"}))
        .addNode(node("Add", "add2", new String[] {"a", "w2"}, new String[] {"y"}))
        .addNode(node("Relu", "dead", new String[] {"a"}, new String[] {"unused"}))
        .addInitializer(Models.floats("w1", new long[] {2}, 1f, 2f))
        .addInitializer(Models.floats("w2", new long[] {2}, 1f, 2f))
        .addInitializer(Models.floats("orphan", new long[] {1}, 5f))
        .addInput(value("x", FLOAT, 2))
        .addOutput(value("y", FLOAT, 2))
        .build();
    Path src = Models.write(dir.resolve("clean.onnx"), g, 13);
    Path out = dir.resolve("clean-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("8.6")).withPasses(List.of("clean-up")));
    assertThat(r.proven()).isTrue();
    assertThat(verdict(r, "8.6", false)).isEqualTo("compatible");
    assertThat(verdict(r, "8.6", true)).isEqualTo("compatible");
    ModelProto m = Models.read(out);
    assertThat(ops(m)).containsExactly("Add", "Add");
    assertThat(m.getGraph().getInitializerList()).extracting(TensorProto::getName).containsExactly("w1");
    assertThat(m.getGraph().getNode(0).getInput(0)).isEqualTo("x");
    assertThat(m.getGraph().getNode(1).getInput(1)).isEqualTo("w1");
  }

  @Test
  void maxPoolUnusedIndicesOutputIsDropped() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("pool")
        .addNode(node("MaxPool", "pool", new String[] {"x"}, new String[] {"y", "idx"}, ints("kernel_shape", 2, 2)))
        .addInput(value("x", FLOAT, 1, 1, 4, 4))
        .addOutput(value("y", FLOAT, 1, 1, 3, 3))
        .build();
    Path src = Models.write(dir.resolve("pool.onnx"), g, 12);
    Path out = dir.resolve("pool-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("10.0")));
    assertThat(r.proven()).isTrue();
    assertThat(Models.read(out).getGraph().getNode(0).getOutputCount()).isEqualTo(1);
    // The checker flags Indices only when read, so an unread one is no finding: verdict unchanged.
    assertThat(verdict(r, "10.0", true)).isEqualTo("compatible");
    assertThat(r.passesApplied()).contains("maxpool-indices");
  }

  @Test
  void hardSwishIsDecomposedForReleasesWithoutItAndStaysEquivalent() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("hs")
        .addNode(node("HardSwish", "hs", new String[] {"x"}, new String[] {"y"}))
        .addInput(value("x", FLOAT, 2, 8))
        .addOutput(value("y", FLOAT, 2, 8))
        .build();
    Path src = Models.write(dir.resolve("hs.onnx"), g, 14);
    Path out = dir.resolve("hs-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("8.2", "8.6")));
    assertThat(r.proven()).isTrue();
    assertThat(ops(Models.read(out))).containsExactly("HardSigmoid", "Mul");
    assertThat(verdict(r, "8.2", false)).isEqualTo("incompatible");
    // HardSigmoid-6 and Mul-14 move to opset 13, which 8.2 documents
    assertThat(verdict(r, "8.2", true)).isEqualTo("compatible");
    assertThat(r.passesApplied()).contains("decompose-hardswish", "opset-downgrade");
    assertThat(r.releases().get(0).remaining()).noneMatch(f -> f.contains("HardSwish"));
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isLessThan(1e-6);

    // Only 8.6 targeted: HardSwish is supported there, so it stays.
    Path keep = dir.resolve("hs-86.onnx");
    FixReport r86 = fix(src, FixRequest.of(src, keep).withReleases(List.of("8.6")));
    assertThat(ops(Models.read(keep))).containsExactly("HardSwish");
    assertThat(r86.passesApplied()).isEmpty();
  }

  FixReport decomposeFor(String op, long opset, String release, String after, List<String> expectOps,
      Object... extra)
      throws IOException {
    GraphProto.Builder g = GraphProto.newBuilder().setName(op)
        .addInput(value("x", FLOAT, 2, 3, 8))
        .addOutput(value("y", FLOAT, 2, 3, 8));
    NodeProto.Builder n = node(op, op.toLowerCase(), new String[] {"x"}, new String[] {"y"}).toBuilder();
    for (Object e : extra) {
      if (e instanceof TensorProto t) {
        g.addInitializer(t);
        n.addInput(t.getName());
      } else {
        n.addAttribute((dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto) e);
      }
    }
    g.addNode(n);
    Path src = Models.write(dir.resolve(op + ".onnx"), g.build(), opset);
    Path out = dir.resolve(op + "-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of(release)));
    assertThat(r.proven()).as(r.unprovenReason()).isTrue();
    assertThat(r.status()).isEqualTo("fixed");
    assertThat(ops(Models.read(out))).containsExactlyElementsOf(expectOps);
    assertThat(verdict(r, release, false)).isEqualTo("incompatible");
    assertThat(verdict(r, release, true)).isEqualTo(after);
    assertThat(r.releases().get(0).remaining()).noneMatch(f -> f.contains(op));
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isLessThan(1e-5);
    return r;
  }

  @Test
  void mishIsDecomposed() throws IOException {
    decomposeFor("Mish", 18, "8.6", "compatible", List.of("Softplus", "Tanh", "Mul"));
  }

  @Test
  void geluIsDecomposedExactlyAndWithTheTanhApproximation() throws IOException {
    decomposeFor("Gelu", 20, "9.3", "compatible", List.of("Div", "Erf", "Add", "Mul", "Mul"));
    decomposeFor("Gelu", 20, "9.3", "compatible", List.of("Mul", "Mul", "Mul", "Add", "Mul", "Tanh", "Add", "Mul", "Mul"),
        dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.newBuilder().setName("approximate")
            .setType(dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.AttributeType.STRING)
            .setS(com.google.protobuf.ByteString.copyFromUtf8("tanh")).build());
  }

  @Test
  void layerNormalizationIsDecomposedForReleasesBefore86() throws IOException {
    float[] scale = new float[8];
    float[] bias = new float[8];
    for (int k = 0; k < 8; k++) {
      scale[k] = 0.5f + k * 0.1f;
      bias[k] = k * 0.01f - 0.03f;
    }
    FixReport r = decomposeFor("LayerNormalization", 17, "8.5", "compatible",
        List.of("ReduceMean", "Sub", "Mul", "ReduceMean", "Add", "Sqrt", "Div", "Mul", "Add"),
        Models.floats("scale", new long[] {8}, scale), Models.floats("bias", new long[] {8}, bias),
        Models.i("axis", -1));
    assertThat(r.passesApplied()).contains("decompose-layernormalization");
  }

  @Test
  void layerNormalizationWhoseMeanIsReadIsKeptWithANoteNamingIt() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("ln-mean")
        .addNode(node("LayerNormalization", "ln", new String[] {"x", "scale"}, new String[] {"y", "mean"},
            i("axis", -1)))
        .addInitializer(Models.floats("scale", new long[] {4}, 1f, 0.5f, 2f, -1f))
        .addInput(value("x", FLOAT, 2, 4))
        .addOutput(value("y", FLOAT, 2, 4))
        .addOutput(value("mean", FLOAT, 2, 1))
        .build();
    Path src = Models.write(dir.resolve("ln-mean.onnx"), g, 17);
    Path out = dir.resolve("ln-mean-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("8.5")));
    assertThat(r.passesApplied()).doesNotContain("decompose-layernormalization");
    assertThat(ops(Models.read(out))).containsExactly("LayerNormalization");
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith("decompose-layernormalization: node ln")
        .contains("Mean 'mean' is read"));
    assertThat(verdict(r, "8.5", false)).isEqualTo("incompatible");
    assertThat(verdict(r, "8.5", true)).isEqualTo("incompatible");
    assertThat(r.releases().get(0).remaining()).anyMatch(f -> f.contains("LayerNormalization"));
  }

  @Test
  void groupNormalizationIsDecomposedForReleasesBefore86AndKeptFor86() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("gn")
        .addNode(node("GroupNormalization", "gn", new String[] {"x", "scale", "bias"}, new String[] {"y"},
            i("num_groups", 2), Attrs.ofFloat("epsilon", 1e-3f)))
        .addInitializer(Models.floats("scale", new long[] {2}, 0.5f, 2f))
        .addInitializer(Models.floats("bias", new long[] {2}, 0.25f, -1f))
        .addInput(value("x", FLOAT, 2, 4, 3, 3))
        .addOutput(value("y", FLOAT, 2, 4, 3, 3))
        .build();
    Path src = Models.write(dir.resolve("gn.onnx"), g, 18);
    Path out = dir.resolve("gn-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("8.5")));
    assertThat(r.proven()).as(r.unprovenReason()).isTrue();
    assertThat(r.passesApplied()).contains("decompose-groupnormalization");
    assertThat(ops(Models.read(out))).doesNotContain("GroupNormalization").contains("Reshape", "ReduceMean", "Sqrt");
    assertThat(verdict(r, "8.5", false)).isEqualTo("incompatible");
    assertThat(r.releases().get(0).remaining()).noneMatch(f -> f.contains("GroupNormalization"));
    assertThat(r.passes()).filteredOn(p -> p.name().equals("decompose-groupnormalization"))
        .singleElement().satisfies(p -> assertThat(p.findingsRemoved()).anyMatch(f -> f.startsWith("op.unsupported")));
    assertThat(r.equivalence().outputs().get(0).maxAbsError()).isLessThan(1e-4);

    Path kept = dir.resolve("gn-86.onnx");
    FixReport r86 = fix(src, FixRequest.of(src, kept).withReleases(List.of("8.6")));
    assertThat(r86.passesApplied()).doesNotContain("decompose-groupnormalization");
    assertThat(ops(Models.read(kept))).contains("GroupNormalization");
  }

  @Test
  void einsumOfCommonEquationsBecomesTransposeAndMatMulBefore82() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("einsum")
        .addNode(node("Einsum", "attn", new String[] {"q", "k"}, new String[] {"s"}, str("equation", "bqd,bkd->bqk")))
        .addNode(node("Einsum", "mix", new String[] {"w", "s"}, new String[] {"m"}, str("equation", "ij,bjk->bik")))
        .addNode(node("Einsum", "swap", new String[] {"m"}, new String[] {"y"}, str("equation", "bik->bki")))
        .addNode(node("Einsum", "diag", new String[] {"sq"}, new String[] {"d"}, str("equation", "ii->i")))
        .addInitializer(Models.floats("w", new long[] {3, 4}, 0.5f, -1f, 2f, 0.25f, 1f, 1f, -0.5f, 0f, 3f, -2f, 1f,
            0.125f))
        .addInput(value("q", FLOAT, 2, 4, 8))
        .addInput(value("k", FLOAT, 2, 5, 8))
        .addInput(value("sq", FLOAT, 3, 3))
        .addOutput(value("y", FLOAT, 2, 5, 3))
        .addOutput(value("d", FLOAT, 3))
        .build();
    Path src = Models.write(dir.resolve("einsum.onnx"), g, 13);
    Path out = dir.resolve("einsum-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("8.0")));
    assertThat(r.proven()).as(r.unprovenReason() + " / " + r.refusal()).isTrue();
    assertThat(r.passesApplied()).contains("decompose-einsum");
    // bkd is moved to bdk for the first MatMul, bik to bki at the end; the diagonal (a repeated letter) stays.
    assertThat(ops(Models.read(out))).containsExactly("Transpose", "MatMul", "MatMul", "Transpose", "Einsum");
    assertThat(r.equivalence().outputs()).hasSize(2)
        .allSatisfy(o -> assertThat(o.maxAbsError()).isLessThan(1e-5));
    assertThat(verdict(r, "8.0", false)).isEqualTo("incompatible");
    // the diagonal Einsum is still there, so 8.0 stays incompatible, for that node alone
    assertThat(verdict(r, "8.0", true)).isEqualTo("incompatible");
    assertThat(r.releases().get(0).remaining()).filteredOn(f -> f.contains("Einsum")).singleElement()
        .asString().startsWith("node 4 Einsum");
  }

  private static dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto str(String name, String value) {
    return dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.newBuilder().setName(name)
        .setType(dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
  }

  @Test
  void opset13ModelMovesTo11ForTensorRt70WithAxesInputsTurnedIntoAttributes() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("opset13")
        .addNode(node("Unsqueeze", "unsq", new String[] {"x", "ax"}, new String[] {"u"}))
        .addNode(node("Relu", "relu", new String[] {"u"}, new String[] {"r"}))
        .addNode(node("ReduceSum", "sum", new String[] {"r", "ax2"}, new String[] {"s"}, i("keepdims", 0)))
        .addNode(node("Softmax", "softmax", new String[] {"s"}, new String[] {"y"}))
        .addInitializer(int64s("ax", new long[] {1}, 0))
        .addInitializer(int64s("ax2", new long[] {1}, 1))
        .addInput(value("x", FLOAT, 3, 4))
        .addOutput(value("y", FLOAT, 1, 4))
        .build();
    Path src = Models.write(dir.resolve("opset13.onnx"), g, 13);
    Path out = dir.resolve("opset11.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("7.0", "8.6")));
    assertThat(r.proven()).as(String.valueOf(r.refusal())).isTrue();
    assertThat(r.passesApplied()).contains("opset-downgrade");
    ModelProto m = Models.read(out);
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(11);
    assertThat(m.getGraph().getNode(0).getInputCount()).isEqualTo(1);
    assertThat(m.getGraph().getNode(0).getAttributeList()).anySatisfy(at -> assertThat(at.getName()).isEqualTo("axes"));
    assertThat(m.getGraph().getInitializerList()).isEmpty();
    assertThat(verdict(r, "7.0", false)).isEqualTo("unknown");
    assertThat(verdict(r, "7.0", true)).isEqualTo("compatible");
    assertThat(verdict(r, "8.6", true)).isEqualTo("compatible");
  }

  @Test
  void softmaxOverAnotherAxisKeepsTheOpset() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("softmax0")
        .addNode(node("Softmax", "softmax", new String[] {"x"}, new String[] {"y"}, i("axis", 0)))
        .addInput(value("x", FLOAT, 3, 4))
        .addOutput(value("y", FLOAT, 3, 4))
        .build();
    Path src = Models.write(dir.resolve("softmax0.onnx"), g, 13);
    Path out = dir.resolve("softmax0-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out).withReleases(List.of("7.0")));
    assertThat(r.passesApplied()).doesNotContain("opset-downgrade");
    assertThat(Models.read(out).getOpsetImport(0).getVersion()).isEqualTo(13);
  }

  @Test
  void unknownPassIsRefusedNamingTheKnownOnes() throws IOException {
    Path src = foldModel();
    Path out = dir.resolve("x.onnx");
    assertThatThrownBy(() -> fix(src, FixRequest.of(src, out).withPasses(List.of("fold", "shapes"))))
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("unknown pass 'fold'")
        .hasMessageContaining("fold-constants");
    assertThat(out).doesNotExist();
    assertNoTempFiles();
  }

  @Test
  void shapesContradictingTheModelAreRefused() throws IOException {
    Path src = foldModel();
    Path out = dir.resolve("x.onnx");
    assertThatThrownBy(() -> fix(src, FixRequest.of(src, out).withShapes(InputShapes.parse("x:1x1x4x5"))))
        .isInstanceOf(UserFacingException.class)
        .satisfies(e -> assertThat(((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.BAD_REQUEST))
        .hasMessageContaining("dimension 3 = 4");
    assertThatThrownBy(() -> fix(src, FixRequest.of(src, out).withShapes(InputShapes.parse("nope:1x2"))))
        .hasMessageContaining("not an input");
    assertThatThrownBy(() -> fix(src, FixRequest.of(src, out).withShapes(InputShapes.parse("x:1x2"))))
        .hasMessageContaining("rank 4");
    assertThat(out).doesNotExist();
    assertNoTempFiles();
  }

  @Test
  void validateRefusesWhatFixWouldRefuseAndWritesNothing() throws IOException {
    Path src = foldModel();
    Path out = dir.resolve("x.onnx");
    ModelFixer fixer = new ModelFixer(CHECKER, "test");
    fixer.validate(FixRequest.of(src, out).withShapes(InputShapes.parse("x:1x1x4x4")).withReleases(List.of("8.6")));
    assertThatThrownBy(() -> fixer.validate(FixRequest.of(src, out).withPasses(List.of("fold"))))
        .hasMessageContaining("unknown pass 'fold'");
    assertThatThrownBy(() -> fixer.validate(FixRequest.of(src, out).withReleases(List.of("6.0"))))
        .hasMessageContaining("6.0");
    assertThatThrownBy(() -> fixer.validate(FixRequest.of(src, out).withShapes(InputShapes.parse("x:1x1x4x5"))))
        .hasMessageContaining("dimension 3 = 4");
    Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3, 4, 5});
    assertThatThrownBy(() -> fixer.validate(FixRequest.of(junk, out))).isInstanceOf(InvalidModelException.class);
    assertThat(out).doesNotExist();
    assertNoTempFiles();
  }

  @Test
  void unparsableModelIsRefusedWithoutOutput() throws IOException {
    Path src = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3, 4, 5});
    Path out = dir.resolve("x.onnx");
    assertThatThrownBy(() -> fix(src, FixRequest.of(src, out))).isInstanceOf(InvalidModelException.class);
    assertThat(out).doesNotExist();
    assertNoTempFiles();
  }

  @Test
  void outputsThatDifferAreReportedAsNotEquivalent() throws IOException {
    Path a = Models.write(dir.resolve("a.onnx"), GraphProto.newBuilder().setName("a")
        .addNode(node("Add", "add", new String[] {"x", "w"}, new String[] {"y"}))
        .addInitializer(Models.floats("w", new long[] {1}, 1f))
        .addInput(value("x", FLOAT, 3)).addOutput(value("y", FLOAT, 3)).build(), 13);
    Path b = Models.write(dir.resolve("b.onnx"), GraphProto.newBuilder().setName("b")
        .addNode(node("Add", "add", new String[] {"x", "w"}, new String[] {"y"}))
        .addInitializer(Models.floats("w", new long[] {1}, 1.01f))
        .addInput(value("x", FLOAT, 3)).addOutput(value("y", FLOAT, 3)).build(), 13);
    EquivalenceCheck.Outcome o = EquivalenceCheck.run(a, b, Map.of("x", FLOAT), FixRequest.of(a, dir.resolve("unused.onnx")));
    assertThat(o.proven()).isTrue();
    assertThat(o.passed()).isFalse();
    assertThat(o.reason()).contains("output 'y' changed");
    assertThat(o.details().outputs().get(0).maxAbsError()).isGreaterThan(0.009);
  }

  @Test
  void unrunnableOriginalIsLabelledUnproven() throws IOException {
    // ONNX Runtime has no uint8 Add kernel (see docs/reference-corpus.md: node/test_add_uint8).
    GraphProto g = GraphProto.newBuilder().setName("u8")
        .addNode(node("Add", "add", new String[] {"x", "x"}, new String[] {"y"}))
        .addInput(value("x", 2, 3)).addOutput(value("y", 2, 3)).build();
    Path src = Models.write(dir.resolve("u8.onnx"), g, 14);
    Path out = dir.resolve("u8-fixed.onnx");
    FixReport r = fix(src, FixRequest.of(src, out));
    assertThat(r.proven()).isFalse();
    assertThat(r.unprovenReason()).contains("cannot run the original");
    assertThat(out).exists();
  }

  /** No staging folder or temporary file (hidden names) is left beside the output. */
  private void assertNoTempFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith(".")).toList()).isEmpty();
    }
  }
}
