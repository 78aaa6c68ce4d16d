package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.FLOAT;
import static dev.trtcompat.fix.Models.i;
import static dev.trtcompat.fix.Models.int64s;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code opset-downgrade} from above opset 17, where ReduceMean-18 and ReduceMax-18 took {@code axes} as an input: a
 * model at opset 18 moves to TensorRT 8.6's newest documented opset (17) with the constant axes back as attributes,
 * proven by ONNX Runtime; one whose axes are computed at run time stays.
 */
class OpsetDowngradePassTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  @TempDir Path dir;

  private FixReport fix(Path src, Path out, List<String> releases) {
    return new ModelFixer(CHECKER, "test").fix(FixRequest.of(src, out).withReleases(releases));
  }

  @Test
  void opset18ReduceAxesInputsBecomeAttributesAt17AndTheMoveIsProven() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("reduce18")
        .addNode(node("ReduceMean", "mean", new String[] {"x", "ax"}, new String[] {"m"}, i("keepdims", 1)))
        .addNode(node("ReduceMax", "max", new String[] {"m", "ax1"}, new String[] {"y"}, i("keepdims", 0)))
        .addInitializer(int64s("ax", new long[] {2}, 2, 3))
        .addInitializer(int64s("ax1", new long[] {1}, 1))
        .addInput(value("x", FLOAT, 1, 3, 4, 5))
        .addOutput(value("y", FLOAT, 1, 1, 1))
        .build();
    Path src = Models.write(dir.resolve("reduce18.onnx"), g, 18);
    Path out = dir.resolve("reduce17.onnx");
    FixReport r = fix(src, out, List.of("8.6"));

    assertThat(r.proven()).as(String.valueOf(r.refusal())).isTrue();
    assertThat(r.passesApplied()).contains("opset-downgrade");
    assertThat(FixPassesTest.verdict(r, "8.6", false)).isEqualTo("unknown"); // opset 18 is past 8.6's parser
    assertThat(FixPassesTest.verdict(r, "8.6", true)).isEqualTo("compatible");
    ModelProto m = Models.read(out);
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
    NodeProto mean = m.getGraph().getNode(0);
    assertThat(mean.getInputCount()).isEqualTo(1);
    assertThat(ints(mean, "axes")).containsExactly(2L, 3L);
    assertThat(ints(m.getGraph().getNode(1), "axes")).containsExactly(1L);
    assertThat(m.getGraph().getInitializerList()).isEmpty();
  }

  @Test
  void axesComputedAtRunTimeKeepTheModelAtItsOpset() throws IOException {
    GraphProto g = GraphProto.newBuilder().setName("runtime-axes")
        .addNode(node("ReduceMean", "mean", new String[] {"x", "ax"}, new String[] {"y"}, i("keepdims", 1)))
        .addInput(value("x", FLOAT, 1, 3, 4, 5))
        .addInput(value("ax", Models.INT64, 1))
        .addOutput(value("y", FLOAT, "a", "b", "c", "d"))
        .build();
    Path src = Models.write(dir.resolve("runtime18.onnx"), g, 18);
    FixReport r = fix(src, dir.resolve("runtime-fixed.onnx"), List.of("8.6"));
    assertThat(r.passesApplied()).doesNotContain("opset-downgrade");
    assertThat(Models.read(dir.resolve("runtime-fixed.onnx")).getOpsetImport(0).getVersion()).isEqualTo(18);
  }

  private static List<Long> ints(NodeProto n, String name) {
    return n.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
        .map(AttributeProto::getIntsList).orElse(List.of());
  }
}
