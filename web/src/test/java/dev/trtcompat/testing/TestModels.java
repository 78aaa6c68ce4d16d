package dev.trtcompat.testing;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.Arrays;

/** Small ONNX models built in code for the web tests: good ones, hostile ones, broken ones. */
public final class TestModels {

  public static final int FLOAT = 1;

  private TestModels() {}

  public static ValueInfoProto value(String name, int elemType, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
        .build();
  }

  public static NodeProto node(String op, String in, String out) {
    return NodeProto.newBuilder().setOpType(op).addInput(in).addOutput(out).setName(op + "_" + out).build();
  }

  /** x -> op -> y, FLOAT [1, 4]. */
  public static ModelProto.Builder single(String op) {
    return model(GraphProto.newBuilder()
        .setName("g")
        .addInput(value("x", FLOAT, 1, 4))
        .addOutput(value("y", FLOAT, 1, 4))
        .addNode(node(op, "x", "y")));
  }

  public static ModelProto.Builder model(GraphProto.Builder graph) {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("trt-compat-tests")
        .setProducerVersion("1")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(graph);
  }

  /** A model whose every name a page shows is markup: input, output, op type, producer, metadata. */
  public static byte[] hostile(String markup) {
    return model(GraphProto.newBuilder()
            .setName(markup)
            .addInput(value(markup, FLOAT, 1))
            .addOutput(value("out" + markup, FLOAT, 1))
            .addNode(NodeProto.newBuilder().setOpType(markup).setDomain("evil" + markup).addInput(markup).addOutput("out" + markup)))
        .setProducerName(markup)
        .setProducerVersion(markup)
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey(markup).setValue(markup))
        .addMetadataProps(StringStringEntryProto.newBuilder().setKey("author").setValue("\"><img src=x onerror=alert(2)>"))
        .build()
        .toByteArray();
  }

  /**
   * A model with one of {@code payloads} in every string a page or the API may show: graph name and doc,
   * producer, model doc and domain, metadata keys and values, and per payload an input (named, with a
   * symbolic dimension), a node (name, op type, doc, a string attribute), an output and an initializer;
   * plus a Relu node whose name and output are {@code longName}.
   */
  public static byte[] hostileEverywhere(java.util.List<String> payloads, String longName) {
    GraphProto.Builder g = GraphProto.newBuilder().setName(payloads.get(0)).setDocString(payloads.get(1 % payloads.size()));
    ModelProto.Builder m = model(g)
        .setProducerName(payloads.get(2 % payloads.size()))
        .setProducerVersion(payloads.get(3 % payloads.size()))
        .setDomain(payloads.get(4 % payloads.size()))
        .setDocString(payloads.get(5 % payloads.size()));
    for (int i = 0; i < payloads.size(); i++) {
      String p = payloads.get(i);
      String in = "in" + i + p;
      String out = "out" + i + p;
      g.addInput(ValueInfoProto.newBuilder().setName(in).setDocString(p).setType(TypeProto.newBuilder().setTensorType(
          TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(TensorShapeProto.newBuilder()
              .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(p))
              .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(4))))));
      g.addNode(NodeProto.newBuilder().setName(p).setOpType(p).setDocString(p).addInput(in).addInput("w" + i + p).addOutput(out)
          .addAttribute(AttributeProto.newBuilder().setName("note").setType(AttributeProto.AttributeType.STRING)
              .setS(com.google.protobuf.ByteString.copyFromUtf8(p))));
      g.addInitializer(TensorProto.newBuilder().setName("w" + i + p).setDataType(FLOAT).addDims(1)
          .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[4])));
      g.addOutput(value(out, FLOAT, 1, 4));
      m.addMetadataProps(StringStringEntryProto.newBuilder().setKey("k" + i + p).setValue(p));
    }
    g.addNode(NodeProto.newBuilder().setName(longName).setOpType("Relu").addInput("in0" + payloads.get(0)).addOutput(longName));
    g.addOutput(value(longName, FLOAT, 1, 4));
    return m.setGraph(g).build().toByteArray();
  }

  /** y = x + W, with W (FLOAT[n]) kept in the external file {@code location}. */
  public static byte[] withExternalWeights(String location, int n) {
    TensorProto w = TensorProto.newBuilder()
        .setName("W")
        .setDataType(FLOAT)
        .addDims(n)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue(location))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("offset").setValue("0"))
        .addExternalData(StringStringEntryProto.newBuilder().setKey("length").setValue(Integer.toString(4 * n)))
        .build();
    return model(GraphProto.newBuilder()
            .setName("ext")
            .addInput(value("x", FLOAT, n))
            .addOutput(value("y", FLOAT, n))
            .addInitializer(w)
            .addNode(NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("W").addOutput("y")))
        .build()
        .toByteArray();
  }

  /** An initializer of {@code bytes} raw bytes inside the model file. */
  public static byte[] withInlineWeights(int bytes) {
    byte[] raw = new byte[bytes];
    Arrays.fill(raw, (byte) 7);
    TensorProto w = TensorProto.newBuilder().setName("W").setDataType(FLOAT).addDims(bytes / 4).setRawData(ByteString.copyFrom(raw)).build();
    return model(GraphProto.newBuilder()
            .setName("big")
            .addInput(value("x", FLOAT, bytes / 4))
            .addOutput(value("y", FLOAT, bytes / 4))
            .addInitializer(w)
            .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("x").addInput("W").addOutput("y")))
        .build()
        .toByteArray();
  }

  /** If nodes nested {@code depth} deep through their then_branch. */
  public static byte[] nestedIf(int depth) {
    GraphProto leaf = GraphProto.newBuilder().setName("leaf").addNode(node("Identity", "x", "y")).addOutput(value("y", FLOAT, 1)).build();
    GraphProto inner = leaf;
    for (int i = 0; i < depth; i++) {
      NodeProto iff = NodeProto.newBuilder()
          .setOpType("If")
          .addInput("c")
          .addOutput("y")
          .addAttribute(AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH).setG(inner))
          .addAttribute(AttributeProto.newBuilder().setName("else_branch").setType(AttributeProto.AttributeType.GRAPH).setG(leaf))
          .build();
      inner = GraphProto.newBuilder().setName("level" + i).addNode(iff).addOutput(value("y", FLOAT, 1)).build();
    }
    return model(inner.toBuilder().addInput(value("c", 9))).build().toByteArray();
  }

  /** A graph input of element type 99, which no ONNX version defines. */
  public static byte[] unknownElementType() {
    return model(GraphProto.newBuilder()
            .addInput(value("x", 99, 2))
            .addOutput(value("y", FLOAT, 2))
            .addNode(node("Abs", "x", "y")))
        .build()
        .toByteArray();
  }

  /** Valid protobuf, but a TensorProto rather than a model. */
  public static byte[] tensorNotModel() {
    return TensorProto.newBuilder().setName("t").setDataType(FLOAT).addDims(2).addFloatData(1f).addFloatData(2f).build().toByteArray();
  }

  /** The graph field (7, length-delimited) declaring 1 MB while the file ends after a few bytes. */
  public static byte[] lengthBeyondFile() {
    return new byte[] {0x08, 0x08, 0x3a, (byte) 0x80, (byte) 0x80, 0x40, 0x0a, 0x01};
  }
}
