package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.INT64;
import static dev.trtcompat.fix.Models.i;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The opt-in int64-io pass on tiny models built here, proven (or refused) by ONNX Runtime. */
class Int64IoPassTest {

  static final int INT32 = 6;

  @TempDir Path dir;

  FixReport fix(FixRequest req) {
    return new ModelFixer(CompatibilityChecker.bundled(), "test").fix(req);
  }

  /** Gather with an INT64 indices input, then ArgMax: an INT64 graph output. */
  Path gatherArgMax() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("io")
        .addNode(node("Gather", "g", new String[] {"x", "idx"}, new String[] {"a"}, i("axis", 1)))
        .addNode(node("ArgMax", "am", new String[] {"a"}, new String[] {"y"}, i("axis", 1), i("keepdims", 0)))
        .addInput(value("x", FLOAT, 2, 3))
        .addInput(value("idx", INT64, 2))
        .addOutput(value("a", FLOAT, 2, 2))
        .addOutput(value("y", INT64, 2))
        .build();
    return Models.write(dir.resolve("io.onnx"), g, 13);
  }

  static Map<String, HostTensor> inputs(long... idx) {
    return Map.of("x", HostTensor.ofFloats("x", new long[] {2, 3}, 0.5f, -1f, 3f, 2f, 7f, -4f),
        "idx", HostTensor.ofLongs("idx", new long[] {idx.length}, idx));
  }

  static int elemType(List<ValueInfoProto> vs, String name) {
    return vs.stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow().getType().getTensorType()
        .getElemType();
  }

  @Test
  void int64InputsAndOutputsBecomeInt32WithCastsAndAreProvenEqual() throws IOException {
    Path src = gatherArgMax();
    Path out = dir.resolve("io-fixed.onnx");
    FixReport r = fix(FixRequest.of(src, out).withReleases(List.of("8.6")).withGivenInputs(inputs(2, 0))
        .withPasses(FixPipeline.plus(List.of(), Int64IoPass.NAME)));
    assertThat(r.status()).isEqualTo("fixed");
    assertThat(r.proven()).isTrue();
    assertThat(r.passes()).anySatisfy(p -> {
      assertThat(p.name()).isEqualTo("int64-io");
      assertThat(p.applied()).isTrue();
    });
    ModelProto m = Models.read(out);
    assertThat(elemType(m.getGraph().getInputList(), "idx")).isEqualTo(INT32);
    assertThat(elemType(m.getGraph().getInputList(), "x")).isEqualTo(FLOAT);
    assertThat(elemType(m.getGraph().getOutputList(), "y")).isEqualTo(INT32);
    assertThat(elemType(m.getGraph().getOutputList(), "a")).isEqualTo(FLOAT);
    NodeProto last = m.getGraph().getNode(m.getGraph().getNodeCount() - 1);
    assertThat(last.getOpType()).isEqualTo("Cast");
    assertThat(last.getOutput(0)).isEqualTo("y");
    assertThat(r.equivalence().outputs()).allSatisfy(o -> assertThat(o.passed()).isTrue());
    // 8.6 warns of the original's INT64 tensors (cast down); the fixed model has no finding left
    assertThat(r.releases()).singleElement().satisfies(c -> {
      assertThat(c.before()).isEqualTo("compatible_with_warnings");
      assertThat(c.after()).isEqualTo("compatible");
    });
  }

  @Test
  void notPartOfTheDefaultPasses() throws IOException {
    Path src = gatherArgMax();
    Path out = dir.resolve("io-default.onnx");
    FixReport r = fix(FixRequest.of(src, out).withReleases(List.of("8.6")).withGivenInputs(inputs(2, 0)));
    assertThat(r.passes()).noneMatch(p -> p.name().equals("int64-io"));
    if (Files.exists(out)) {
      assertThat(elemType(Models.read(out).getGraph().getInputList(), "idx")).isEqualTo(INT64);
    }
    assertThat(FixPipeline.knownNames()).contains("int64-io");
  }

  @Test
  void appliedToItsOwnOutputItChangesNothing() throws IOException {
    FixGraph g = new FixGraph(Models.read(gatherArgMax()));
    FixContext ctx = new FixContext(InputShapes.NONE, Set.of());
    assertThat(new Int64IoPass().apply(g, ctx)).isTrue();
    ModelProto once = g.toModel();
    assertThat(new Int64IoPass().apply(g, ctx)).isFalse();
    assertThat(g.toModel()).isEqualTo(once);
  }

  @Test
  void anInputValueThatDoesNotFitInt32IsRefusedByName() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("big")
        .addNode(node("Add", "add", new String[] {"n", "one"}, new String[] {"y"}))
        .addInitializer(Models.int64s("one", new long[] {1}, 1))
        .addInput(value("n", INT64, 2))
        .addOutput(value("y", INT64, 2))
        .build();
    Path src = Models.write(dir.resolve("big.onnx"), g, 13);
    Path out = dir.resolve("big-fixed.onnx");
    FixReport r = fix(FixRequest.of(src, out).withReleases(List.of("8.6"))
        .withGivenInputs(Map.of("n", HostTensor.ofLongs("n", new long[] {2}, 5, 1L << 40)))
        .withPasses(List.of(Int64IoPass.NAME)));
    assertThat(r.status()).isEqualTo("refused");
    assertThat(r.refusal()).contains("input 'n'").contains("does not fit in INT32");
    assertThat(out).doesNotExist();
  }

  @Test
  void anOutputValueThatDoesNotFitInt32ChangesTheOutputAndIsRefused() throws IOException {
    // n + 2^40: every input fits INT32, every output does not, so the INT32 output the pass makes wraps around
    GraphProto g = GraphProto.newBuilder().setName("wide")
        .addNode(node("Add", "add", new String[] {"n", "offset"}, new String[] {"y"}))
        .addInitializer(Models.int64s("offset", new long[] {1}, 1L << 40))
        .addInput(value("n", INT64, 2))
        .addOutput(value("y", INT64, 2))
        .build();
    Path src = Models.write(dir.resolve("wide.onnx"), g, 13);
    Path out = dir.resolve("wide-fixed.onnx");
    FixReport r = fix(FixRequest.of(src, out).withReleases(List.of("8.6"))
        .withGivenInputs(Map.of("n", HostTensor.ofLongs("n", new long[] {2}, 5, -7)))
        .withPasses(List.of(Int64IoPass.NAME)));
    assertThat(r.status()).isEqualTo("refused");
    assertThat(r.proven()).isFalse();
    assertThat(r.refusal()).contains("output 'y' changed").contains("int64-io");
    assertThat(r.output()).isNull();
    assertThat(r.equivalence().outputs()).singleElement().satisfies(o -> {
      assertThat(o.passed()).isFalse();
      assertThat(o.maxAbsError()).isEqualTo((double) (1L << 40));
    });
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("wide.onnx");
    }
  }
}
