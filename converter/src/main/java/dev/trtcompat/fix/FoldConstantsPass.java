package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Replaces every node whose output is computable at build time by an initializer: Constant nodes (the
 * parser's "must be an initializer" inputs such as pads, K, scales, sizes, axes and Clip bounds are often
 * Constants), Shape→Gather→Unsqueeze→Concat chains on static shapes, Range, ConstantOfShape,
 * Expand/Tile/Reshape of constants, Cast and arithmetic on constants. Graph outputs keep their producer.
 */
final class FoldConstantsPass implements FixPass {

  @Override
  public String name() {
    return "fold-constants";
  }

  @Override
  public String reason() {
    return "the parser reads shapes, pads, axes, K and scales only from initializers, never from computed tensors";
  }

  @Override
  public Set<String> removes() {
    return Set.of("constant_input.");
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    Analysis a = Analysis.of(g);
    Set<String> graphOutputs = g.graphOutputNames();
    List<NodeProto> kept = new ArrayList<>(g.nodes.size());
    boolean changed = false;
    for (NodeProto n : g.nodes) {
      TensorProto folded = fold(n, a, graphOutputs);
      if (folded == null) {
        kept.add(n);
      } else {
        g.initializers.put(folded.getName(), folded);
        g.valueInfo.remove(folded.getName());
        changed = true;
      }
    }
    if (changed) {
      g.nodes.clear();
      g.nodes.addAll(kept);
    }
    return changed;
  }

  private static TensorProto fold(NodeProto n, Analysis a, Set<String> graphOutputs) {
    if (n.getOutputCount() != 1 || n.getOutput(0).isEmpty() || graphOutputs.contains(n.getOutput(0))
        || !FixGraph.defaultDomain(n)) {
      return null;
    }
    String out = n.getOutput(0);
    if (n.getOpType().equals("Constant")) {
      AttributeProto value = Attrs.find(n, "value");
      if (value != null && value.hasT()) {
        // Moved as is: a large Constant's payload aliases the source file and is never decoded.
        return value.getT().toBuilder().setName(out).build();
      }
    }
    HostTensor v = a.value(out);
    return v == null ? null : Tensors.encode(out, v);
  }
}
