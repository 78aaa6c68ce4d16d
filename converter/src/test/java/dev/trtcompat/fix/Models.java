package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiny ONNX models built in the fix tests: the short names those tests use (element types as wire numbers), each
 * building with compat-matrix's {@link ModelBuilder}, the one ONNX fixture builder.
 */
final class Models {

  static final int FLOAT = ElementType.FLOAT.wire();
  static final int INT64 = ElementType.INT64.wire();

  private Models() {}

  static ValueInfoProto value(String name, int type, Object... dims) {
    return ModelBuilder.value(name, ElementType.fromWire(type).orElseThrow(), dims);
  }

  static NodeProto node(String op, String name, String[] ins, String[] outs, AttributeProto... attrs) {
    return ModelBuilder.node(op, name, List.of(ins), List.of(outs), attrs);
  }

  static AttributeProto ints(String name, long... v) {
    return ModelBuilder.intsAttr(name, v);
  }

  static AttributeProto i(String name, long v) {
    return ModelBuilder.intAttr(name, v);
  }

  static TensorProto int64s(String name, long[] dims, long... v) {
    return ModelBuilder.int64s(name, v, dims);
  }

  static TensorProto floats(String name, long[] dims, float... v) {
    return ModelBuilder.floats(name, v, dims);
  }

  static AttributeProto tensor(String name, TensorProto t) {
    return ModelBuilder.tensorAttr(name, t);
  }

  static Path write(Path file, GraphProto graph, long opset) throws IOException {
    ModelProto model = ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setProducerName("trt-compat tests").setGraph(graph).build();
    Files.write(file, model.toByteArray());
    return file;
  }

  static ModelProto read(Path file) throws IOException {
    return ModelProto.parseFrom(Files.readAllBytes(file));
  }
}
