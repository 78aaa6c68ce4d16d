package dev.trtcompat.fix;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.rules.ReleaseRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Resize(X, roi, scales, "")}: TensorRT 7.0-8.2 take the empty fourth name as a given sizes
 * ({@code declared_empty_input.sizes}); the pass drops it, which ONNX reads as the same node.
 */
class ResizeEmptySizesPassTest {

  static final CompatibilityChecker CHECKER = ResizePassTest.CHECKER;
  static final String RULE = "declared_empty_input.sizes";

  @TempDir Path dir;

  /** x [1,1,4,5] -> Resize(x, roi, scales [1,1,2,2], "") nearest asymmetric floor -> y [1,1,8,10], opset 11. */
  Path emptySizes() throws IOException {
    return emptySizes(11);
  }

  /** At opset 13 roi is left out with an empty name too: {@code [x, "", scales, ""]}. */
  Path emptySizes(long opset) throws IOException {
    ResizePassTest models = new ResizePassTest();
    models.dir = dir;
    Path src = models.model("empty_sizes_" + opset, opset, new long[] {1, 1, 4, 5}, new long[] {1, 1, 8, 10},
        new float[] {1, 1, 2, 2}, null, "mode", "nearest", "coordinate_transformation_mode", "asymmetric",
        "nearest_mode", "floor");
    ModelProto m = Models.read(src);
    ModelProto.Builder b = m.toBuilder();
    b.getGraphBuilder().setNode(0, m.getGraph().getNode(0).toBuilder().addInput(""));
    return Files.write(src, b.build().toByteArray());
  }

  static Set<String> rules(Path model, String release) throws IOException {
    return Set.copyOf(CHECKER.check(OnnxModelReader.read(model), List.of(release)).results().get(0).findings()
        .stream().map(f -> f.rule()).toList());
  }

  static NodeProto resize(Path model) throws IOException {
    return Models.read(model).getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("Resize"))
        .findFirst().orElseThrow();
  }

  FixReport fix(Path src, String... releases) {
    Path out = dir.resolve("fixed-" + String.join("-", releases) + ".onnx");
    return new ModelFixer(CHECKER, "test").fix(FixRequest.of(src, out).withReleases(List.of(releases)));
  }

  @Test
  void theEmptySizesIsDroppedFor72AndOnnxRuntimeAgrees() throws IOException {
    Path src = emptySizes();
    assertThat(rules(src, "7.2")).contains(RULE);
    FixReport r = fix(src, "7.2");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(r.passesApplied()).contains(ResizeEmptySizesPass.NAME);
    assertThat(FixPassesTest.verdict(r, "7.2", false)).isEqualTo("incompatible");
    assertThat(FixPassesTest.verdict(r, "7.2", true)).isEqualTo("compatible");
    assertThat(r.passes()).filteredOn(p -> p.name().equals(ResizeEmptySizesPass.NAME)).singleElement()
        .satisfies(p -> assertThat(p.findingsRemoved()).anyMatch(f -> f.startsWith(RULE)));
    assertThat(r.notes()).anyMatch(n -> n.startsWith(ResizeEmptySizesPass.NAME + ": Resize 'resize'")
        && n.contains("4 inputs -> 3") && n.contains("7.2"));
    Path fixed = Path.of(r.output());
    assertThat(rules(fixed, "7.2")).doesNotContain(RULE);
    assertThat(resize(fixed).getInputList()).containsExactly("x", "roi", "scales");
    assertThat(r.equivalence().outputs()).singleElement().satisfies(o -> assertThat(o.maxAbsError()).isZero());
  }

  @Test
  void atOpset13OnlyTheTrailingEmptyNameGoesWhatever72sOpsetMoveDoes() throws IOException {
    Path src = emptySizes(13);
    assertThat(resize(src).getInputList()).containsExactly("x", "", "scales", "");
    FixReport r = fix(src, "7.2", "8.2");
    assertThat(r.proven()).as(r.refusal() + " / " + r.unprovenReason()).isTrue();
    assertThat(r.passesApplied()).contains(ResizeEmptySizesPass.NAME);
    assertThat(FixPassesTest.verdict(r, "8.2", true)).isEqualTo("compatible");
    assertThat(FixPassesTest.verdict(r, "7.2", true)).isEqualTo("compatible");
    assertThat(resize(Path.of(r.output())).getInputList()).hasSize(3).element(2).asString().isNotEmpty();
    assertThat(r.equivalence().outputs()).singleElement().satisfies(o -> assertThat(o.maxAbsError()).isZero());
  }

  @Test
  void releasesFrom84KeepTheNodeAsItIs() throws IOException {
    Path src = emptySizes();
    assertThat(rules(src, "8.4")).doesNotContain(RULE);
    FixReport r = fix(src, "8.4", "8.6");
    assertThat(r.passesApplied()).doesNotContain(ResizeEmptySizesPass.NAME);
    assertThat(r.notes()).noneMatch(n -> n.startsWith(ResizeEmptySizesPass.NAME));
    assertThat(resize(Path.of(r.output())).getInputList()).containsExactly("x", "roi", "scales", "");
  }

  @Test
  void onlyNodesATargetRejectsForTheEmptyNameChange() throws IOException {
    // the rule fired for some Resize, but on 8.4 and 8.6 this node is accepted: nothing to drop
    FixGraph g = new FixGraph(Models.read(emptySizes()));
    List<ReleaseRules> later =
        Stream.of("8.4", "8.6").map(rel -> CHECKER.knowledgeBase().release(rel).orElseThrow()).toList();
    FixContext ctx = new FixContext(InputShapes.NONE, Set.of(), List.of(), null, later,
        Map.of("Resize", Set.of(RULE)));
    assertThat(new ResizeEmptySizesPass().apply(g, ctx)).isFalse();
    assertThat(g.nodes.get(0).getInputList()).hasSize(4);

    List<ReleaseRules> mixed =
        Stream.of("8.2", "8.4").map(rel -> CHECKER.knowledgeBase().release(rel).orElseThrow()).toList();
    FixContext both = new FixContext(InputShapes.NONE, Set.of(), List.of(), null, mixed,
        Map.of("Resize", Set.of(RULE)));
    assertThat(new ResizeEmptySizesPass().apply(g, both)).isTrue();
    assertThat(g.nodes.get(0).getInputList()).containsExactly("x", "roi", "scales");
    assertThat(new ResizeEmptySizesPass().apply(g, both)).as("idempotent").isFalse();
  }
}
