package dev.trtcompat.onnx;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.FunctionProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.SparseTensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TrainingInfoProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fluent builder of ONNX models for tests, over the generated protobuf classes. Published in compat-matrix's
 * test-jar: the one ONNX fixture builder of every module's tests.
 */
public final class ModelBuilder {

  private final ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(8);
  private final Graph graph = new Graph("main");

  public static ModelBuilder model() {
    return new ModelBuilder();
  }

  public ModelBuilder ir(long version) {
    model.setIrVersion(version);
    return this;
  }

  public ModelBuilder producer(String name, String version) {
    model.setProducerName(name).setProducerVersion(version);
    return this;
  }

  /** Adds an opset import; {@code ""} is the default domain. */
  public ModelBuilder opset(String domain, long version) {
    model.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(domain).setVersion(version));
    return this;
  }

  public ModelBuilder metadata(String key, String value) {
    model.addMetadataProps(entry(key, value));
    return this;
  }

  /** A model-local function made of one node. */
  public ModelBuilder function(String domain, String name, String innerOp) {
    model.addFunctions(
        FunctionProto.newBuilder()
            .setDomain(domain)
            .setName(name)
            .addInput("x")
            .addOutput("y")
            .addNode(NodeProto.newBuilder().setOpType(innerOp).addInput("x").addOutput("y"))
            .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)));
    return this;
  }

  /** Training content (IR 7+) that the reader must step over. */
  public ModelBuilder trainingInfo() {
    model.addTrainingInfo(
        TrainingInfoProto.newBuilder()
            .setAlgorithm(new Graph("train").node("Sub", List.of("a", "b"), List.of("c")).build())
            .addUpdateBinding(entry("w", "c")));
    return this;
  }

  public Graph graph() {
    return graph;
  }

  public ModelProto build() {
    if (model.getOpsetImportCount() == 0) {
      opset("", 17);
    }
    return model.clone().setGraph(graph.build()).build();
  }

  public Path write(Path file) throws IOException {
    Files.write(file, build().toByteArray());
    return file;
  }

  public static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  /** A named tensor value (graph input or output); dims as for {@link #tensorType}. */
  public static ValueInfoProto value(String name, ElementType type, Object... dims) {
    return ValueInfoProto.newBuilder().setName(name).setType(tensorType(type, dims)).build();
  }

  /** A tensor type; dims are Long/Integer (fixed), String (symbolic) or null (unknown). */
  public static TypeProto tensorType(ElementType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object d : dims) {
      TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Number n) {
        b.setDimValue(n.longValue());
      } else if (d instanceof String s) {
        b.setDimParam(s);
      }
      shape.addDim(b);
    }
    return TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.wire()).setShape(shape))
        .build();
  }

  public static TypeProto sequenceOf(TypeProto element) {
    return TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder().setElemType(element)).build();
  }

  public static TensorProto raw(String name, ElementType type, byte[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.wire());
    for (long d : dims) {
      t.addDims(d);
    }
    return t.setRawData(ByteString.copyFrom(values)).build();
  }

  /** A FLOAT tensor of {@code values}, little-endian raw data. */
  public static TensorProto floats(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return raw(name, ElementType.FLOAT, b.array(), dims);
  }

  /** An INT64 tensor of {@code values}, little-endian raw data. */
  public static TensorProto int64s(String name, long[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return raw(name, ElementType.INT64, b.array(), dims);
  }

  /** A named node with its attributes. */
  public static NodeProto node(String opType, String name, List<String> inputs, List<String> outputs,
      AttributeProto... attributes) {
    return NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addAllOutput(outputs)
        .addAllAttribute(List.of(attributes)).build();
  }

  public static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  public static AttributeProto intsAttr(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  public static AttributeProto tensorAttr(String name, TensorProto value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.TENSOR).setT(value).build();
  }

  public static TensorProto external(String name, ElementType type, String location, long offset, long length, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.wire());
    for (long d : dims) {
      t.addDims(d);
    }
    t.setDataLocation(TensorProto.DataLocation.EXTERNAL).addExternalData(entry("location", location));
    if (offset >= 0) {
      t.addExternalData(entry("offset", Long.toString(offset)));
    }
    if (length >= 0) {
      t.addExternalData(entry("length", Long.toString(length)));
    }
    return t.build();
  }

  /** One graph: the main one or a subgraph. */
  public static final class Graph {
    private final GraphProto.Builder g = GraphProto.newBuilder();

    public Graph(String name) {
      g.setName(name);
    }

    public Graph input(String name, TypeProto type) {
      g.addInput(ValueInfoProto.newBuilder().setName(name).setType(type));
      return this;
    }

    public Graph input(String name, ElementType type, Object... dims) {
      return input(name, tensorType(type, dims));
    }

    public Graph output(String name, TypeProto type) {
      g.addOutput(ValueInfoProto.newBuilder().setName(name).setType(type));
      return this;
    }

    public Graph output(String name, ElementType type, Object... dims) {
      return output(name, tensorType(type, dims));
    }

    public Graph node(String opType, List<String> inputs, List<String> outputs) {
      return node("", opType, inputs, outputs);
    }

    public Graph node(String domain, String opType, List<String> inputs, List<String> outputs) {
      g.addNode(NodeProto.newBuilder().setDomain(domain).setOpType(opType).addAllInput(inputs).addAllOutput(outputs));
      return this;
    }

    /** An If node whose branches are the given graphs. */
    public Graph ifNode(String cond, GraphProto thenBranch, GraphProto elseBranch, String output) {
      g.addNode(
          NodeProto.newBuilder()
              .setOpType("If")
              .addInput(cond)
              .addOutput(output)
              .addAttribute(graphAttribute("then_branch", thenBranch))
              .addAttribute(graphAttribute("else_branch", elseBranch)));
      return this;
    }

    /** A Constant node holding {@code value}. */
    public Graph constant(String output, TensorProto value) {
      g.addNode(
          NodeProto.newBuilder()
              .setOpType("Constant")
              .addOutput(output)
              .addAttribute(
                  AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(value)));
      return this;
    }

    public Graph initializer(TensorProto t) {
      g.addInitializer(t);
      return this;
    }

    public Graph sparseInitializer(TensorProto values, TensorProto indices, long... dims) {
      SparseTensorProto.Builder s = SparseTensorProto.newBuilder().setValues(values).setIndices(indices);
      for (long d : dims) {
        s.addDims(d);
      }
      g.addSparseInitializer(s);
      return this;
    }

    public GraphProto build() {
      return g.build();
    }

    private static AttributeProto graphAttribute(String name, GraphProto body) {
      return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.GRAPH).setG(body).build();
    }
  }
}
