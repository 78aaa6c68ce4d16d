package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.INT64;
import static dev.trtcompat.fix.Models.i;
import static dev.trtcompat.fix.Models.int64s;
import static dev.trtcompat.fix.Models.node;
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
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The int64-to-int32 pass on a Cast to INT64 and on a Slice's index inputs, proven by ONNX Runtime. */
class Int64ToInt32PassTest {

  static final int INT32 = 6;

  @TempDir Path dir;

  FixReport fix(Path src, Path out, Map<String, HostTensor> inputs) {
    return new ModelFixer(CompatibilityChecker.bundled(), "test").fix(FixRequest.of(src, out)
        .withReleases(List.of("8.6")).withPasses(List.of("int64-to-int32")).withGivenInputs(inputs));
  }

  static Map<String, Integer> initTypes(ModelProto m) {
    return m.getGraph().getInitializerList().stream()
        .collect(Collectors.toMap(TensorProto::getName, TensorProto::getDataType));
  }

  @Test
  void castToInt64ReadOnlyAsGatherIndicesBecomesCastToInt32() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("cast")
        .addNode(node("Cast", "to_index", new String[] {"f"}, new String[] {"idx"}, i("to", INT64)))
        .addNode(node("Gather", "gather", new String[] {"x", "idx"}, new String[] {"y"}, i("axis", 1)))
        .addInput(value("x", FLOAT, 2, 3))
        .addInput(value("f", FLOAT, 2))
        .addOutput(value("y", FLOAT, 2, 2))
        .build();
    Path src = Models.write(dir.resolve("cast.onnx"), g, 13);
    Path out = dir.resolve("cast-fixed.onnx");
    FixReport r = fix(src, out, Map.of("x", HostTensor.ofFloats("x", new long[] {2, 3}, 1f, 2f, 3f, 4f, 5f, 6f),
        "f", HostTensor.ofFloats("f", new long[] {2}, 2f, 0f)));
    assertThat(r.status()).as(String.valueOf(r.refusal())).isEqualTo("fixed");
    assertThat(r.proven()).as(r.unprovenReason()).isTrue();
    assertThat(r.equivalence().outputs()).singleElement().satisfies(o -> assertThat(o.maxAbsError()).isZero());
    NodeProto cast = Models.read(out).getGraph().getNode(0);
    assertThat(cast.getOpType()).isEqualTo("Cast");
    assertThat(Attrs.i(cast, "to", 0)).isEqualTo(INT32);
    // the checker flags INT64 initializers, not a computed INT64 tensor: 8.6's verdict is the same before and after
    assertThat(r.releases()).singleElement().satisfies(c -> {
      assertThat(c.before()).isEqualTo("compatible");
      assertThat(c.after()).isEqualTo("compatible");
    });
  }

  /** A Slice of {@code x} [4, 6] with the given ends on axis 1 (starts 1, axes 1, steps 2). */
  Path slice(String name, long end) throws IOException {
    GraphProto g = GraphProto.newBuilder().setName(name)
        .addNode(node("Slice", "slice", new String[] {"x", "starts", "ends", "axes", "steps"}, new String[] {"y"}))
        .addInitializer(int64s("starts", new long[] {1}, 1))
        .addInitializer(int64s("ends", new long[] {1}, end))
        .addInitializer(int64s("axes", new long[] {1}, 1))
        .addInitializer(int64s("steps", new long[] {1}, 2))
        .addInput(value("x", FLOAT, 4, 6))
        .addOutput(value("y", FLOAT, 4, 3))
        .build();
    return Models.write(dir.resolve(name + ".onnx"), g, 13);
  }

  @Test
  void sliceStartsEndsAxesAndStepsBecomeInt32Together() throws IOException {
    Path src = slice("slice", 6);
    Path out = dir.resolve("slice-fixed.onnx");
    FixReport r = fix(src, out, Map.of());
    assertThat(r.proven()).as(r.unprovenReason()).isTrue();
    assertThat(r.equivalence().outputs()).singleElement().satisfies(o -> assertThat(o.maxAbsError()).isZero());
    assertThat(initTypes(Models.read(out))).containsOnly(Map.entry("starts", INT32), Map.entry("ends", INT32),
        Map.entry("axes", INT32), Map.entry("steps", INT32));
    assertThat(r.releases()).singleElement().satisfies(c -> {
      assertThat(c.before()).isEqualTo("compatible_with_warnings");
      assertThat(c.after()).isEqualTo("compatible");
    });
  }

  @Test
  void sliceWhoseEndDoesNotFitKeepsAllItsIndicesInt64() throws IOException {
    // INT64_MAX as "to the end" is what exporters write; ONNX wants one type for all four inputs
    Path src = slice("slice-max", Long.MAX_VALUE);
    Path out = dir.resolve("slice-max-fixed.onnx");
    FixReport r = fix(src, out, Map.of());
    assertThat(r.status()).isEqualTo("unchanged");
    assertThat(initTypes(Models.read(out))).containsOnly(Map.entry("starts", INT64), Map.entry("ends", INT64),
        Map.entry("axes", INT64), Map.entry("steps", INT64));
    assertThat(r.releases()).singleElement().satisfies(c -> assertThat(c.after()).isEqualTo(c.before()));
  }
}
