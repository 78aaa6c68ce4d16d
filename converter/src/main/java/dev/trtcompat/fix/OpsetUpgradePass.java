package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.rules.ReleaseRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Moves a model whose default-domain opset is below the lowest target release's {@code opsetMin} up to opset 11
 * (inside every release's range: 7.0's parser ends at 11, TensorRT 10 documents 9 as its minimum), node by node
 * through every schema version in between ({@link OpsetUpgradeRules}). One version it does not know, a subgraph or
 * a local function leaves the whole model where it is, with a note naming the op, version and node: never a
 * partial move. Runs first, so the other passes see opset-11 semantics.
 */
final class OpsetUpgradePass implements FixPass {

  static final int TARGET = 11;

  @Override
  public String name() {
    return "opset-upgrade";
  }

  @Override
  public String reason() {
    return "parsers warn that models below opset 7 are not guaranteed to work; opset 11 is inside every release's range";
  }

  @Override
  public Set<String> removes() {
    return Set.of("parser.opset_below_minimum");
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    long from = g.opset();
    int min = ctx.targets.stream().mapToInt(r -> r.parser().opsetMin()).min().orElse(0);
    if (from >= min || from >= TARGET || ctx.operators == null) {
      return false;
    }
    String stop = whyNot(g, ctx);
    List<NodeProto> moved = null;
    OpsetUpgradeRules.Staged staged = new OpsetUpgradeRules.Staged(g);
    if (stop == null) {
      // Facts under opset 11, each node visited once moved: the ranks the legacy broadcast needs come from the
      // moved nodes before it (ShapeRules knows only current semantics, not Add-6's axis).
      Analysis a = Analysis.seeded(g, TARGET);
      moved = new ArrayList<>();
      int seen = 0;
      for (NodeProto n : g.nodes) {
        int first = moved.size();
        stop = FixGraph.defaultDomain(n) ? upgrade(n, from, ctx, a, g, staged, moved) : keep(n, moved);
        if (stop != null) {
          break;
        }
        List<TensorProto> added = new ArrayList<>(staged.initializers.values());
        added.subList(seen, added.size()).forEach(a::initializer);
        seen = added.size();
        moved.subList(first, moved.size()).forEach(a::visit);
      }
    }
    if (stop != null) {
      ctx.note(name(), "stays at opset " + from + ": " + stop);
      return false;
    }
    g.nodes.clear();
    g.nodes.addAll(moved);
    g.initializers.putAll(staged.initializers);
    g.setDefaultOpset(TARGET);
    ctx.note(name(), "opset " + from + " → " + TARGET);
    return true;
  }

  /** Why the model as a whole cannot move, or null. */
  private static String whyNot(FixGraph g, FixContext ctx) {
    if (g.rest.getOpsetImportList().stream().noneMatch(o -> o.getDomain().isEmpty()
        || o.getDomain().equals("ai.onnx"))) {
      return "it imports no default-domain opset";
    }
    for (ReleaseRules r : ctx.targets) {
      if (r.parser().opsetMax() < TARGET) {
        return "TensorRT " + r.release() + "'s parser ends at opset " + r.parser().opsetMax();
      }
    }
    if (!g.rest.getFunctionsList().isEmpty()) {
      return "it has local functions";
    }
    for (NodeProto n : g.nodes) {
      if (n.getAttributeList().stream().anyMatch(at -> at.hasG() || at.getGraphsCount() > 0)) {
        return n.getOpType() + " (node " + n.getName() + ") has a subgraph";
      }
    }
    return null;
  }

  private static String keep(NodeProto n, List<NodeProto> out) {
    out.add(n);
    return null;
  }

  /** Adds the node moved to {@link #TARGET} (and any node it needs first) to {@code out}; else why not. */
  private static String upgrade(NodeProto n, long from, FixContext ctx, Analysis a, FixGraph g,
      OpsetUpgradeRules.Staged staged, List<NodeProto> out) {
    String op = n.getOpType();
    if (ctx.operators.schemaVersion("ai.onnx", op, from) < 0) {
      return op + " (node " + n.getName() + ") has no schema at opset " + from;
    }
    if (ctx.operators.schemaVersion("ai.onnx", op, TARGET) < 0) {
      return op + " (node " + n.getName() + ") has no schema at opset " + TARGET;
    }
    NodeProto[] cur = {n};
    for (int v = (int) from + 1; v <= TARGET; v++) {
      if (ctx.operators.schemaVersion("ai.onnx", op, v) != v) {
        continue; // not a schema version of this op
      }
      String key = op + "-" + v;
      String why = OpsetUpgradeRules.apply(key, cur, a, g, staged);
      if (why != null) {
        return key + " (node " + (n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "): " + why;
      }
    }
    out.addAll(staged.nodes);
    staged.nodes.clear();
    out.add(cur[0]);
    return null;
  }
}
