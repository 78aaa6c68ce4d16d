package dev.trtcompat.bench;

import static dev.trtcompat.bench.BenchModels.i;
import static dev.trtcompat.bench.BenchModels.ints;
import static dev.trtcompat.bench.BenchModels.node;
import static dev.trtcompat.bench.BenchModels.tensor;
import static dev.trtcompat.bench.BenchModels.tensorValue;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a chain graph of N nodes for the checker's cost curve: a repeated 10-node block (a Constant shape,
 * Reshape, MatMul, Add, Relu, two Transposes, Softmax, Mul, Sigmoid) over one shared 64 x 64 weight, so the file
 * stays small while the node count grows like a long transformer export's. Valid for the ONNX checker.
 *
 * <p>Usage: {@code java -cp ... dev.trtcompat.bench.ChainGraph OUT.onnx NODES}
 */
public final class ChainGraph {

  private static final int FLOAT = 1;
  private static final int INT64 = 7;
  static final int WIDTH = 64;
  static final int BLOCK = 10;

  private ChainGraph() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    int nodes = Integer.parseInt(args[1]);
    StreamingModelWriter m = build(nodes);
    Files.createDirectories(out.toAbsolutePath().getParent());
    m.write(out);
    System.out.println("wrote " + out + ": " + m.nodeCount() + " nodes, " + Files.size(out) + " bytes");
  }

  /** At least {@code nodes} nodes, rounded up to whole blocks. */
  static StreamingModelWriter build(int nodes) {
    StreamingModelWriter m = new StreamingModelWriter("chain", 17);
    m.input(tensor("x", FLOAT, "batch", WIDTH));
    m.weight("w", FLOAT, 4, WIDTH, WIDTH);
    m.weight("b", FLOAT, 4, WIDTH);
    m.weight("scale", FLOAT, 4, 1);
    String x = "x";
    int blocks = Math.max(1, (nodes + BLOCK - 1) / BLOCK);
    for (int k = 0; k < blocks; k++) {
      String p = "b" + k + ".";
      m.node(node("Constant", p + "shape", List.of(), List.of(p + "shape"), tensorValue(shape(p + "shape_value"))));
      m.node(node("Reshape", p + "reshape", List.of(x, p + "shape"), List.of(p + "r")));
      m.node(node("MatMul", p + "matmul", List.of(p + "r", "w"), List.of(p + "mm")));
      m.node(node("Add", p + "add", List.of(p + "mm", "b"), List.of(p + "a")));
      m.node(node("Relu", p + "relu", List.of(p + "a"), List.of(p + "relu")));
      m.node(node("Transpose", p + "t1", List.of(p + "relu"), List.of(p + "t1"), ints("perm", 1, 0)));
      m.node(node("Transpose", p + "t2", List.of(p + "t1"), List.of(p + "t2"), ints("perm", 1, 0)));
      m.node(node("Softmax", p + "softmax", List.of(p + "t2"), List.of(p + "sm"), i("axis", -1)));
      m.node(node("Mul", p + "mul", List.of(p + "sm", "scale"), List.of(p + "mul")));
      String y = k == blocks - 1 ? "y" : p + "out";
      m.node(node("Sigmoid", p + "sigmoid", List.of(p + "mul"), List.of(y)));
      x = y;
    }
    m.output(tensor("y", FLOAT, "batch", WIDTH));
    return m;
  }

  private static TensorProto shape(String name) {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).putLong(WIDTH);
    return TensorProto.newBuilder().setName(name).setDataType(INT64).addDims(2)
        .setRawData(ByteString.copyFrom(b.array())).build();
  }
}
