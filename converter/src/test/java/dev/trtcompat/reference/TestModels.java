package dev.trtcompat.reference;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds tiny ONNX models in test code, so every fixture can be regenerated and read. */
final class TestModels {

  private TestModels() {}

  /** A dimension: a number, or a symbolic name when given a String. */
  static ValueInfoProto value(String name, ElementType type, Object... dims) {
    return ModelBuilder.value(name, type, dims);
  }

  static Path write(Path file, GraphProto graph) throws IOException {
    ModelProto model = ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setProducerName("trt-compat tests")
        .setGraph(graph)
        .build();
    Files.write(file, model.toByteArray());
    return file;
  }

  /** y = x + w with w = [1, 2, 3, 4]; x is [batch, 4] with a symbolic batch. */
  static Path addBias(Path dir, boolean externalWeights) throws IOException {
    ByteBuffer w = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : new float[] {1, 2, 3, 4}) {
      w.putFloat(v);
    }
    TensorProto.Builder init = TensorProto.newBuilder().setName("w").addDims(4).setDataType(ElementType.FLOAT.wire());
    if (externalWeights) {
      Files.write(dir.resolve("weights.bin"), w.array());
      init.setDataLocation(TensorProto.DataLocation.EXTERNAL)
          .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
          .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
          .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue("16"));
    } else {
      init.setRawData(ByteString.copyFrom(w.array()));
    }
    GraphProto graph = GraphProto.newBuilder()
        .setName("add_bias")
        .addNode(NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("w").addOutput("y"))
        .addInitializer(init)
        .addInput(value("x", ElementType.FLOAT, "batch", 4))
        .addOutput(value("y", ElementType.FLOAT, "batch", 4))
        .build();
    return write(dir.resolve("add_bias.onnx"), graph);
  }

  /** y = Identity(x) for an element type and shape. */
  static Path identity(Path dir, ElementType type, Object... dims) throws IOException {
    GraphProto graph = GraphProto.newBuilder()
        .setName("identity")
        .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y"))
        .addInput(value("x", type, dims))
        .addOutput(value("y", type, dims))
        .build();
    return write(dir.resolve("identity_" + type.name().toLowerCase() + ".onnx"), graph);
  }

  /** A node whose operator no runtime implements. */
  static Path unknownOp(Path dir) throws IOException {
    GraphProto graph = GraphProto.newBuilder()
        .setName("unknown")
        .addNode(NodeProto.newBuilder().setOpType("NoSuchOperator").addInput("x").addOutput("y"))
        .addInput(value("x", ElementType.FLOAT, 2))
        .addOutput(value("y", ElementType.FLOAT, 2))
        .build();
    return write(dir.resolve("unknown_op.onnx"), graph);
  }

  /** A 64x64 matrix product, big enough that a leak per run would show in 200 runs. */
  static Path matMul(Path dir) throws IOException {
    int n = 64;
    ByteBuffer w = ByteBuffer.allocate(n * n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n * n; i++) {
      w.putFloat((i % 7) / 7f);
    }
    GraphProto graph = GraphProto.newBuilder()
        .setName("matmul")
        .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("w").addOutput("y"))
        .addInitializer(TensorProto.newBuilder().setName("w").addDims(n).addDims(n)
            .setDataType(ElementType.FLOAT.wire()).setRawData(ByteString.copyFrom(w.array())))
        .addInput(value("x", ElementType.FLOAT, 16, n))
        .addOutput(value("y", ElementType.FLOAT, 16, n))
        .build();
    return write(dir.resolve("matmul.onnx"), graph);
  }
}
