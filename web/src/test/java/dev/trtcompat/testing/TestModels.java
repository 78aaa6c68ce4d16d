package dev.trtcompat.testing;

import static dev.trtcompat.onnx.ElementType.FLOAT;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.ModelBuilder.Graph;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.Arrays;
import java.util.List;

/**
 * The web tests' ONNX models: good ones, hostile ones, broken ones, built with compat-matrix's {@link ModelBuilder}
 * (its test-jar). What ModelBuilder has no words for (named nodes, doc strings, string attributes: the places a page
 * shows model text) is added to the protobuf it builds.
 */
public final class TestModels {

  static final String PRODUCER = "trt-compat-tests";

  private TestModels() {}

  /** A node named {@code op_out}, so pages and findings have a node name to show. */
  public static NodeProto node(String op, String in, String out) {
    return NodeProto.newBuilder().setOpType(op).addInput(in).addOutput(out).setName(op + "_" + out).build();
  }

  /** x -> op -> y, FLOAT [1, 4]. */
  public static ModelProto.Builder single(String op) {
    return model(new Graph("g").input("x", FLOAT, 1, 4).output("y", FLOAT, 1, 4).build().toBuilder()
        .addNode(node(op, "x", "y")));
  }

  /** {@code graph} in a model by the tests' producer: IR 8, opset 17 (ModelBuilder's defaults). */
  public static ModelProto.Builder model(GraphProto.Builder graph) {
    return ModelBuilder.model().producer(PRODUCER, "1").build().toBuilder().setGraph(graph);
  }

  /** A model whose every name a page shows is markup: input, output, op type, producer, metadata. */
  public static byte[] hostile(String markup) {
    GraphProto g = new Graph(markup).input(markup, FLOAT, 1).output("out" + markup, FLOAT, 1)
        .node("evil" + markup, markup, List.of(markup), List.of("out" + markup)).build();
    return model(g.toBuilder())
        .setProducerName(markup)
        .setProducerVersion(markup)
        .addMetadataProps(ModelBuilder.entry(markup, markup))
        .addMetadataProps(ModelBuilder.entry("author", "\"><img src=x onerror=alert(2)>"))
        .build()
        .toByteArray();
  }

  /**
   * A model with one of {@code payloads} in every string a page or the API may show: graph name and doc,
   * producer, model doc and domain, metadata keys and values, and per payload an input (named, with a
   * symbolic dimension), a node (name, op type, doc, a string attribute), an output and an initializer;
   * plus a Relu node whose name and output are {@code longName}.
   */
  public static byte[] hostileEverywhere(List<String> payloads, String longName) {
    GraphProto.Builder g = new Graph(payloads.get(0)).build().toBuilder().setDocString(payloads.get(1 % payloads.size()));
    ModelProto.Builder m = model(g)
        .setProducerName(payloads.get(2 % payloads.size()))
        .setProducerVersion(payloads.get(3 % payloads.size()))
        .setDomain(payloads.get(4 % payloads.size()))
        .setDocString(payloads.get(5 % payloads.size()));
    for (int i = 0; i < payloads.size(); i++) {
      String p = payloads.get(i);
      String in = "in" + i + p;
      String out = "out" + i + p;
      g.addInput(ValueInfoProto.newBuilder().setName(in).setDocString(p).setType(ModelBuilder.tensorType(FLOAT, p, 4)));
      g.addNode(NodeProto.newBuilder().setName(p).setOpType(p).setDocString(p).addInput(in).addInput("w" + i + p).addOutput(out)
          .addAttribute(AttributeProto.newBuilder().setName("note").setType(AttributeProto.AttributeType.STRING)
              .setS(ByteString.copyFromUtf8(p))));
      g.addInitializer(ModelBuilder.raw("w" + i + p, FLOAT, new byte[4], 1));
      g.addOutput(ModelBuilder.value(out, FLOAT, 1, 4));
      m.addMetadataProps(ModelBuilder.entry("k" + i + p, p));
    }
    g.addNode(NodeProto.newBuilder().setName(longName).setOpType("Relu").addInput("in0" + payloads.get(0)).addOutput(longName));
    g.addOutput(ModelBuilder.value(longName, FLOAT, 1, 4));
    return m.setGraph(g).build().toByteArray();
  }

  /** y = x + W, with W (FLOAT[n]) kept in the external file {@code location}. */
  public static byte[] withExternalWeights(String location, int n) {
    return model(new Graph("ext")
            .input("x", FLOAT, n)
            .output("y", FLOAT, n)
            .initializer(ModelBuilder.external("W", FLOAT, location, 0, 4L * n, n))
            .node("Add", List.of("x", "W"), List.of("y"))
            .build().toBuilder())
        .build()
        .toByteArray();
  }

  /** An initializer of {@code bytes} raw bytes inside the model file. */
  public static byte[] withInlineWeights(int bytes) {
    byte[] raw = new byte[bytes];
    Arrays.fill(raw, (byte) 7);
    return model(new Graph("big")
            .input("x", FLOAT, bytes / 4)
            .output("y", FLOAT, bytes / 4)
            .initializer(ModelBuilder.raw("W", FLOAT, raw, bytes / 4))
            .node("Mul", List.of("x", "W"), List.of("y"))
            .build().toBuilder())
        .build()
        .toByteArray();
  }

  /** If nodes nested {@code depth} deep through their then_branch. */
  public static byte[] nestedIf(int depth) {
    GraphProto leaf = new Graph("leaf").output("y", FLOAT, 1).build().toBuilder().addNode(node("Identity", "x", "y")).build();
    GraphProto inner = leaf;
    for (int i = 0; i < depth; i++) {
      inner = new Graph("level" + i).ifNode("c", inner, leaf, "y").output("y", FLOAT, 1).build();
    }
    return model(inner.toBuilder().addInput(ModelBuilder.value("c", ElementType.BOOL))).build().toByteArray();
  }

  /** A graph input of element type 99, which no ONNX version defines. */
  public static byte[] unknownElementType() {
    TypeProto floats = ModelBuilder.tensorType(FLOAT, 2);
    TypeProto unknown = floats.toBuilder().setTensorType(floats.getTensorType().toBuilder().setElemType(99)).build();
    return model(new Graph("g").input("x", unknown).output("y", FLOAT, 2).build().toBuilder()
            .addNode(node("Abs", "x", "y")))
        .build()
        .toByteArray();
  }

  /** Valid protobuf, but a TensorProto rather than a model. */
  public static byte[] tensorNotModel() {
    return ModelBuilder.raw("t", FLOAT, new byte[8], 2).toByteArray();
  }

  /** The graph field (7, length-delimited) declaring 1 MB while the file ends after a few bytes. */
  public static byte[] lengthBeyondFile() {
    return new byte[] {0x08, 0x08, 0x3a, (byte) 0x80, (byte) 0x80, 0x40, 0x0a, 0x01};
  }
}
