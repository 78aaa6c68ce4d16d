package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.List;

/** HardSwish(x) = x * HardSigmoid(x; alpha 1/6, beta 0.5), both in every release's importer. */
final class HardSwishPass extends Decomposition {

  @Override
  String op() {
    return "HardSwish";
  }

  @Override
  public String reason() {
    return "HardSwish has an importer only from TensorRT 8.4; HardSigmoid and Mul exist in every release";
  }

  @Override
  List<NodeProto> expand(NodeProto n, FixGraph g) {
    String x = n.getInput(0);
    String gate = g.freshName(n.getOutput(0) + "_hardsigmoid");
    NodeProto hs = node("HardSigmoid", n.getName() + "_hardsigmoid", List.of(x), List.of(gate)).toBuilder()
        .addAttribute(Attrs.ofFloat("alpha", 1f / 6f)).addAttribute(Attrs.ofFloat("beta", 0.5f)).build();
    NodeProto mul = node("Mul", n.getName() + "_mul", List.of(x, gate), List.of(n.getOutput(0)));
    return List.of(hs, mul);
  }
}
