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

  /**
   * Why {@code n} must stay although its release lacks it, for the report's notes; null when nothing in the graph
   * forbids expanding it. A node kept this way keeps its finding, and the note says which node and why.
   */
  String keptBecause(NodeProto n, FixGraph g) {
    return null;
  }

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
      boolean target = n.getOpType().equals(op()) && FixGraph.defaultDomain(n);
      String kept = target ? keptBecause(n, g) : null;
      if (kept != null) {
        ctx.note(name(), "node " + n.getName() + " (" + op() + ") kept: " + kept);
      }
      List<NodeProto> repl = target && kept == null ? expand(n, g) : null;
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
