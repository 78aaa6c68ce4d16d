package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.List;

/** Mish(x) = x * Tanh(Softplus(x)), the definition of the ONNX Mish-18 schema. */
final class MishPass extends Decomposition {

  @Override
  String op() {
    return "Mish";
  }

  @Override
  public String reason() {
    return "Mish (opset 18) has no importer in older releases; Softplus, Tanh and Mul exist in every release";
  }

  @Override
  List<NodeProto> expand(NodeProto n, FixGraph g) {
    String x = n.getInput(0);
    String sp = g.freshName(n.getOutput(0) + "_softplus");
    String th = g.freshName(n.getOutput(0) + "_tanh");
    return List.of(
        node("Softplus", n.getName() + "_softplus", List.of(x), List.of(sp)),
        node("Tanh", n.getName() + "_tanh", List.of(sp), List.of(th)),
        node("Mul", n.getName() + "_mul", List.of(x, th), List.of(n.getOutput(0))));
  }
}
