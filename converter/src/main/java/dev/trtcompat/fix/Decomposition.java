package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Base of the passes that replace an operator a target release lacks by a few operators it has. Runs only
 * when the checker reported the operator unsupported on a target release, so models for newer releases keep
 * the fused operator.
 */
abstract class Decomposition implements FixPass {

  /** The operator replaced. */
  abstract String op();

  /** The replacement nodes, reading {@code n}'s inputs and writing its outputs; null to leave {@code n}. */
  abstract List<NodeProto> expand(NodeProto n, FixGraph g);

  @Override
  public String name() {
    return "decompose-" + op().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public Set<String> removes() {
    return Set.of("op.unsupported");
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    if (!ctx.unsupportedOps.contains(op())) {
      return false;
    }
    List<NodeProto> out = new ArrayList<>();
    boolean changed = false;
    for (NodeProto n : List.copyOf(g.nodes)) {
      List<NodeProto> repl = n.getOpType().equals(op()) && FixGraph.defaultDomain(n) ? expand(n, g) : null;
      if (repl == null) {
        out.add(n);
      } else {
        out.addAll(repl);
        changed = true;
      }
    }
    if (changed) {
      g.nodes.clear();
      g.nodes.addAll(out);
    }
    return changed;
  }

  static NodeProto node(String op, String name, List<String> ins, List<String> outs) {
    return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(ins).addAllOutput(outs).build();
  }
}
