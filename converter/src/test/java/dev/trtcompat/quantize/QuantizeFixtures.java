package dev.trtcompat.quantize;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small models and calibration files built in test code. */
final class QuantizeFixtures {

  static final Path EXPORTS =
      Path.of(System.getProperty("trtcompat.repo", ".."), "compat-matrix/src/test/resources/pytorch-exports");

  private QuantizeFixtures() {}

  /** A tensor value; a negative dimension is the symbolic batch dimension. */
  static ValueInfoProto value(String name, ElementType type, long... dims) {
    Object[] shape = new Object[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = dims[i] < 0 ? "batch" : (Object) dims[i];
    }
    return ModelBuilder.value(name, type, shape);
  }

  static TensorProto randomWeights(String name, long seed, long... dims) {
    float[] values = new float[Math.toIntExact(HostTensor.elementCount(dims))];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (r.nextDouble() * 2 - 1) * 0.5f;
    }
    return ModelBuilder.floats(name, values, dims);
  }

  static NodeProto node(String op, String name, String[] inputs, String[] outputs, AttributeProto... attrs) {
    return ModelBuilder.node(op, name, List.of(inputs), List.of(outputs), attrs);
  }

  static AttributeProto ints(String name, long... v) {
    return ModelBuilder.intsAttr(name, v);
  }

  static AttributeProto intAttr(String name, long v) {
    return ModelBuilder.intAttr(name, v);
  }

  /**
   * x[1,4,8,8] -> Conv c1 (4->4, 3x3, pad 1) -> Relu -> Conv c2 -> Add(c2, x) residual -> MaxPool 2x2 -> Flatten ->
   * Gemm fc (transB=1, 64->10) -> y[1,10].
   */
  static ModelProto residualNet(int opset) {
    GraphProto g = GraphProto.newBuilder().setName("residual")
        .addInput(value("x", ElementType.FLOAT, 1, 4, 8, 8))
        .addOutput(value("y", ElementType.FLOAT, 1, 10))
        .addInitializer(randomWeights("w1", 1, 4, 4, 3, 3))
        .addInitializer(randomWeights("w2", 2, 4, 4, 3, 3))
        .addInitializer(randomWeights("fc_w", 3, 10, 64))
        .addInitializer(randomWeights("fc_b", 4, 10))
        .addNode(node("Conv", "c1", new String[] {"x", "w1"}, new String[] {"a"}, ints("pads", 1, 1, 1, 1)))
        .addNode(node("Relu", "r1", new String[] {"a"}, new String[] {"b"}))
        .addNode(node("Conv", "c2", new String[] {"b", "w2"}, new String[] {"c"}, ints("pads", 1, 1, 1, 1)))
        .addNode(node("Add", "res", new String[] {"c", "x"}, new String[] {"d"}))
        .addNode(node("MaxPool", "pool", new String[] {"d"}, new String[] {"e"}, ints("kernel_shape", 2, 2),
            ints("strides", 2, 2)))
        .addNode(node("Flatten", "flat", new String[] {"e"}, new String[] {"f"}))
        .addNode(node("Gemm", "fc", new String[] {"f", "fc_w", "fc_b"}, new String[] {"y"}, intAttr("transB", 1)))
        .build();
    return model(opset, g);
  }

  static ModelProto model(int opset, GraphProto g) {
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("trt-compat tests")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).setGraph(g).build();
  }

  static Path write(Path file, ModelProto m) throws IOException {
    Files.write(file, m.toByteArray());
    return file;
  }

  /** An .npz as numpy.savez writes it: a zip of NPY members named {@code <array>.npy}. */
  static Path npz(Path file, Map<String, HostTensor> arrays) throws IOException {
    Path tmp = Files.createTempFile(file.getParent(), "member", ".npy");
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (HostTensor t : arrays.values()) {
        NpyFormat.write(tmp, t);
        zip.putNextEntry(new ZipEntry(t.name() + ".npy"));
        zip.write(Files.readAllBytes(tmp));
        zip.closeEntry();
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return file;
  }

  static HostTensor randomFloats(String name, long seed, long... shape) {
    int n = Math.toIntExact(HostTensor.elementCount(shape));
    float[] v = new float[n];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return HostTensor.ofFloats(name, shape, v);
  }

  /**
   * {@code model} with the per-tensor scale of {@code tensor}'s QuantizeLinear multiplied by {@code factor}: a broken
   * scale, for tests that must show that their bounds catch one.
   */
  static ModelProto scaleActivation(ModelProto model, String tensor, float factor) {
    String scale = model.getGraph().getNodeList().stream()
        .filter(n -> n.getOpType().equals("QuantizeLinear") && n.getInput(0).equals(tensor)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no QuantizeLinear reads " + tensor)).getInput(1);
    GraphProto.Builder g = model.getGraph().toBuilder();
    for (int i = 0; i < g.getInitializerCount(); i++) {
      TensorProto t = g.getInitializer(i);
      if (t.getName().equals(scale)) {
        float v = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat(0);
        g.setInitializer(i, ModelBuilder.floats(scale, new float[] {v * factor}));
      }
    }
    return model.toBuilder().setGraph(g).build();
  }
}
