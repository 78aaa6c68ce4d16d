package dev.trtcompat.cost;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny models written with the generated protobuf classes, read by the real reader, whose MACs are computed by
 * hand in each test's comment.
 */
class CostEstimatorTest {

  private static final int FLOAT = 1;
  private static final int INT64 = 7;

  @TempDir Path dir;

  @Test
  void convWithPaddingAndGroupedStridedConv() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", 1L, 3L, 8L, 8L))
        .addInitializer(floats("w1", 4, 3, 3, 3)).addInitializer(floats("b1", 4))
        .addInitializer(floats("w2", 6, 2, 3, 3))
        // 3x3, pad 1, stride 1: [1,4,8,8]; MACs = (1*4*8*8) * (3*3*3) = 256 * 27 = 6912
        .addNode(node("Conv", new String[] {"x", "w1", "b1"}, "y", ints("pads", 1, 1, 1, 1)))
        // group 2, stride 2, no pad: (8-3)/2+1 = 3 -> [1,6,3,3]; MACs = 54 * (2*3*3) = 972
        .addNode(node("Conv", new String[] {"y", "w2"}, "z", ints("strides", 2, 2), i("group", 2)))
        .addOutput(tensor("z"));
    ModelCost c = CostEstimator.estimate(read(g));
    assertThat(c.macs()).isEqualTo(6912 + 972);
    assertThat(c.flops()).isEqualTo(2 * (6912 + 972));
    assertThat(c.perOp().get("Conv")).isEqualTo(new ModelCost.OpCost(2, 6912 + 972));
    // 4*3*3*3 + 4 + 6*2*3*3 = 108 + 4 + 108
    assertThat(c.parameters()).isEqualTo(220);
    assertThat(c.parameterBytes()).isEqualTo(220 * 4);
    assertThat(c.complete()).isTrue();
  }

  @Test
  void convTransposeScattersEachInputElement() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", 1L, 2L, 3L, 3L))
        .addInitializer(floats("w", 2, 3, 2, 2))
        // [1,2,3,3] -> stride 2, kernel 2: [1,3,6,6]; MACs = (1*2*3*3) * (3*2*2) = 18 * 12 = 216
        .addNode(node("ConvTranspose", new String[] {"x", "w"}, "y", ints("strides", 2, 2)))
        // The output's shape feeds a 1x1 conv: [1,3,6,6] x w2 [5,3,1,1]: MACs = 5*36 * 3 = 540
        .addInitializer(floats("w2", 5, 3, 1, 1))
        .addNode(node("Conv", new String[] {"y", "w2"}, "z"))
        .addOutput(tensor("z"));
    ModelCost c = CostEstimator.estimate(read(g));
    assertThat(c.perOp().get("ConvTranspose").macs()).isEqualTo(216);
    assertThat(c.perOp().get("Conv").macs()).isEqualTo(540);
  }

  @Test
  void gemmWithTransposedWeightAndBatchedMatMul() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("a", 2L, 5L))
        .addInput(tensor("m", 2L, 4L, 6L))
        .addInitializer(floats("wt", 3, 5)).addInitializer(floats("bias", 3))
        .addInitializer(floats("w", 6, 5))
        // A [2,5] x B^T [5,3]: MACs = 2*3*5 = 30
        .addNode(node("Gemm", new String[] {"a", "wt", "bias"}, "y", i("transB", 1)))
        // [2,4,6] x [6,5] -> [2,4,5]: MACs = 2*4*5*6 = 240
        .addNode(node("MatMul", new String[] {"m", "w"}, "z"))
        .addOutput(tensor("y")).addOutput(tensor("z"));
    ModelCost c = CostEstimator.estimate(read(g));
    assertThat(c.perOp().get("Gemm")).isEqualTo(new ModelCost.OpCost(1, 30));
    assertThat(c.perOp().get("MatMul")).isEqualTo(new ModelCost.OpCost(1, 240));
    assertThat(c.macs()).isEqualTo(270);
    assertThat(c.parameters()).isEqualTo(15 + 3 + 30);
  }

  /**
   * Self-attention over x [batch, 4 tokens, 8 features], 2 heads of 4: three projections of batch*4*8*8 = 256
   * MACs each, scores Q.K^T [batch,2,4,4] summing over 4: 128, context P.V [batch,2,4,4] summing over 4: 128.
   * Total at batch 1: 3*256 + 2*128 = 1024, and three times that at batch 3.
   */
  @Test
  void attentionChainThroughReshapeTransposeSoftmax() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", "batch", 4L, 8L))
        .addInitializer(floats("wq", 8, 8)).addInitializer(floats("wk", 8, 8)).addInitializer(floats("wv", 8, 8))
        .addInitializer(int64s("heads", 0, 4, 2, 4))
        .addNode(node("MatMul", new String[] {"x", "wq"}, "q"))
        .addNode(node("MatMul", new String[] {"x", "wk"}, "k"))
        .addNode(node("MatMul", new String[] {"x", "wv"}, "v"))
        .addNode(node("Reshape", new String[] {"q", "heads"}, "q4"))
        .addNode(node("Reshape", new String[] {"k", "heads"}, "k4"))
        .addNode(node("Reshape", new String[] {"v", "heads"}, "v4"))
        .addNode(node("Transpose", new String[] {"q4"}, "qh", ints("perm", 0, 2, 1, 3)))
        .addNode(node("Transpose", new String[] {"k4"}, "kt", ints("perm", 0, 2, 3, 1)))
        .addNode(node("Transpose", new String[] {"v4"}, "vh", ints("perm", 0, 2, 1, 3)))
        .addNode(node("MatMul", new String[] {"qh", "kt"}, "s"))
        .addNode(node("Softmax", new String[] {"s"}, "p", i("axis", -1)))
        .addNode(node("MatMul", new String[] {"p", "vh"}, "ctx"))
        .addOutput(tensor("ctx"));
    OnnxModel m = read(g);
    ModelCost one = CostEstimator.estimate(m);
    assertThat(one.macs()).isEqualTo(1024);
    assertThat(one.perOp().get("MatMul").nodes()).isEqualTo(5);
    assertThat(one.assumptions()).containsExactly("batch = 1");
    assertThat(one.complete()).isTrue();
    ModelCost three = CostEstimator.estimate(m, Map.of("x", new long[] {3, 4, 8}));
    assertThat(three.macs()).isEqualTo(3072);
    assertThat(three.assumptions()).isEmpty();
  }

  /** Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm: the classifier head's shape comes through three ops. */
  @Test
  void classifierHeadShapesPropagate() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", 1L, 3L, 4L, 4L))
        .addInitializer(floats("w", 8, 3, 1, 1)).addInitializer(floats("fc", 10, 8))
        // [1,8,4,4]: 128 * 3 = 384
        .addNode(node("Conv", new String[] {"x", "w"}, "c"))
        .addNode(node("Relu", new String[] {"c"}, "r"))
        .addNode(node("GlobalAveragePool", new String[] {"r"}, "p"))
        .addNode(node("Flatten", new String[] {"p"}, "f"))
        // [1,8] x [8,10]: 80
        .addNode(node("Gemm", new String[] {"f", "fc"}, "y", i("transB", 1)))
        .addOutput(tensor("y"));
    ModelCost c = CostEstimator.estimate(read(g));
    assertThat(c.macs()).isEqualTo(384 + 80);
  }

  @Test
  void unknownShapeIsListedNotGuessed() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(ValueInfoProto.newBuilder().setName("x")
            .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT))))
        .addInitializer(floats("w", 8, 8))
        .addNode(node("MatMul", new String[] {"x", "w"}, "y").toBuilder().setName("proj").build())
        .addOutput(tensor("y"));
    ModelCost c = CostEstimator.estimate(read(g));
    assertThat(c.macs()).isZero();
    assertThat(c.complete()).isFalse();
    assertThat(c.uncounted()).singleElement().satisfies(u -> {
      assertThat(u.node()).isEqualTo("proj");
      assertThat(u.op()).isEqualTo("MatMul");
      assertThat(u.nodeIndex()).isZero();
    });
  }

  @Test
  void valueInfoFillsShapesOfOpsThePropagationDoesNotKnow() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", 1L, 6L))
        .addInitializer(floats("w", 6, 2))
        // TopK is not propagated; value_info says its values are [1,6]: [1,6] x [6,2] = 12
        .addNode(node("Custom", new String[] {"x"}, "t").toBuilder().setDomain("example.custom").build())
        .addValueInfo(tensor("t", 1L, 6L))
        .addNode(node("MatMul", new String[] {"t", "w"}, "y"))
        .addOutput(tensor("y"));
    assertThat(CostEstimator.estimate(read(g)).macs()).isEqualTo(12);
  }

  private OnnxModel read(GraphProto.Builder graph) throws Exception {
    ModelProto m = ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph.setName("g")).build();
    Path file = Files.createTempFile(dir, "m", ".onnx");
    Files.write(file, m.toByteArray());
    return OnnxModelReader.read(file);
  }

  /** A float tensor value info; a dim is a Long (fixed) or a String (symbolic). No dims: rank unknown. */
  static ValueInfoProto tensor(String name, Object... dims) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(FLOAT);
    if (dims.length > 0) {
      TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
      for (Object d : dims) {
        shape.addDim(d instanceof String s ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
            : TensorShapeProto.Dimension.newBuilder().setDimValue((Long) d));
      }
      t.setShape(shape);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
  }

  static TensorProto floats(String name, long... dims) {
    long n = 1;
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
    for (long d : dims) {
      t.addDims(d);
      n *= d;
    }
    return t.setRawData(ByteString.copyFrom(new byte[(int) n * 4])).build();
  }

  static TensorProto int64s(String name, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(values.length)
        .setRawData(ByteString.copyFrom(b.array())).build();
  }

  static NodeProto node(String op, String[] inputs, String output, AttributeProto... attrs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op);
    for (String in : inputs) {
      n.addInput(in);
    }
    n.addOutput(output);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    return n.build();
  }

  static AttributeProto i(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }
}
