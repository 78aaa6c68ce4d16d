package dev.trtcompat.fix;

import static dev.trtcompat.fix.Models.INT64;
import static dev.trtcompat.fix.Models.node;
import static dev.trtcompat.fix.Models.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import org.junit.jupiter.api.Test;

/** ReduceMin/ReduceMax of constants fold exactly, per axis and over all axes, before and from opset 18. */
class ConstReduceTest {

  static Analysis analyse(GraphProto g, long opset) {
    return Analysis.of(new FixGraph(ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build()));
  }

  @Test
  void reducesConstantsToTheSelectedElement() {
    GraphProto g = GraphProto.newBuilder().setName("reduce")
        .addInitializer(Models.int64s("hw", new long[] {2, 3}, 320, 7, 640, -1, 5, 9))
        .addInitializer(Models.int64s("axis1", new long[] {1}, 1))
        .addNode(node("ReduceMin", "all", new String[] {"hw"}, new String[] {"min_all"}, Models.i("keepdims", 0)))
        .addNode(node("ReduceMax", "rows", new String[] {"hw"}, new String[] {"max_rows"}, Models.ints("axes", 1)))
        .addOutput(value("min_all", INT64))
        .addOutput(value("max_rows", INT64, 2, 1))
        .build();
    Analysis a = analyse(g, 13);
    assertThat(Tensors.longs(a.value("min_all"))).containsExactly(-1);
    assertThat(a.value("min_all").shape()).isEmpty();
    assertThat(Tensors.longs(a.value("max_rows"))).containsExactly(640, 9);
    assertThat(a.value("max_rows").shape()).containsExactly(2, 1);

    GraphProto g18 = g.toBuilder().clearNode()
        .addNode(node("ReduceMax", "rows", new String[] {"hw", "axis1"}, new String[] {"max_rows"},
            Models.i("keepdims", 0)))
        .build();
    Analysis a18 = analyse(g18, 18);
    assertThat(Tensors.longs(a18.value("max_rows"))).containsExactly(640, 9);
    assertThat(a18.value("max_rows").shape()).containsExactly(2);
  }

  @Test
  void floatsStayExact() {
    GraphProto g = GraphProto.newBuilder().setName("reduce_f")
        .addInitializer(Models.floats("v", new long[] {3}, 0.1f, -2.5f, 3.3f))
        .addNode(node("ReduceMax", "m", new String[] {"v"}, new String[] {"m"}))
        .addOutput(value("m", Models.FLOAT, 1))
        .build();
    assertThat(Tensors.doubles(analyse(g, 13).value("m"))).containsExactly((double) 3.3f);
  }
}
