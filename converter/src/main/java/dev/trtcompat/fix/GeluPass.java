package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.List;

/**
 * Gelu (opset 20) by its schema's definition: {@code 0.5 x (1 + erf(x / sqrt 2))}, or with
 * {@code approximate="tanh"}: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}; FLOAT inputs.
 */
final class GeluPass extends Decomposition {

  @Override
  String op() {
    return "Gelu";
  }

  @Override
  public String reason() {
    return "Gelu (opset 20) has no importer before TensorRT 10; Erf, Tanh and arithmetic exist in older releases";
  }

  private static String scalar(FixGraph g, String base, double v) {
    String name = g.freshName(base);
    g.initializers.put(name, Tensors.encode(name, Tensors.ofDoubles(ElementType.FLOAT, new long[0], new double[] {v})));
    return name;
  }

  @Override
  List<NodeProto> expand(NodeProto n, FixGraph g) {
    TypeShape x = Analysis.of(g).shape(n.getInput(0));
    if (x.elemType() != ElementType.FLOAT.wire()) {
      return null;
    }
    String in = n.getInput(0);
    String y = n.getOutput(0);
    String b = n.getName();
    String half = scalar(g, y + "_half", 0.5);
    String one = scalar(g, y + "_one", 1.0);
    String inner = g.freshName(y + "_inner");
    String act = g.freshName(y + "_act");
    String plus = g.freshName(y + "_plus1");
    String hx = g.freshName(y + "_halfx");
    List<NodeProto> head;
    if (Attrs.s(n, "approximate", "none").equals("tanh")) {
      String c = scalar(g, y + "_c", Math.sqrt(2 / Math.PI));
      String k = scalar(g, y + "_k", 0.044715);
      String x2 = g.freshName(y + "_x2");
      String x3 = g.freshName(y + "_x3");
      String kx3 = g.freshName(y + "_kx3");
      String sum = g.freshName(y + "_sum");
      head = List.of(
          node("Mul", b + "_x2", List.of(in, in), List.of(x2)),
          node("Mul", b + "_x3", List.of(x2, in), List.of(x3)),
          node("Mul", b + "_kx3", List.of(x3, k), List.of(kx3)),
          node("Add", b + "_sum", List.of(in, kx3), List.of(sum)),
          node("Mul", b + "_inner", List.of(sum, c), List.of(inner)),
          node("Tanh", b + "_tanh", List.of(inner), List.of(act)));
    } else {
      String r2 = scalar(g, y + "_sqrt2", Math.sqrt(2));
      head = List.of(
          node("Div", b + "_inner", List.of(in, r2), List.of(inner)),
          node("Erf", b + "_erf", List.of(inner), List.of(act)));
    }
    List<NodeProto> out = new java.util.ArrayList<>(head);
    out.add(node("Add", b + "_plus1", List.of(act, one), List.of(plus)));
    out.add(node("Mul", b + "_halfx", List.of(in, half), List.of(hx)));
    out.add(node("Mul", b + "_out", List.of(hx, plus), List.of(y)));
    return out;
  }
}
