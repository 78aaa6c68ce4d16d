package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.Map;
import java.util.Set;

/** Drops MaxPool's optional Indices output when nothing reads it: TensorRT's importer rejects that output. */
final class MaxPoolIndicesPass implements FixPass {

  @Override
  public String name() {
    return "maxpool-indices";
  }

  @Override
  public String reason() {
    return "TensorRT's MaxPool importer does not produce the Indices output";
  }

  @Override
  public Set<String> removes() {
    return Set.of("unsupported_output.");
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    Map<String, Integer> uses = g.useCounts();
    boolean changed = false;
    for (int i = 0; i < g.nodes.size(); i++) {
      NodeProto n = g.nodes.get(i);
      if (n.getOpType().equals("MaxPool") && FixGraph.defaultDomain(n) && n.getOutputCount() == 2) {
        String idx = n.getOutput(1);
        if (idx.isEmpty() || !uses.containsKey(idx)) {
          g.nodes.set(i, n.toBuilder().clearOutput().addOutput(n.getOutput(0)).build());
          g.valueInfo.remove(idx);
          changed = true;
        } else {
          ctx.note(name(), "MaxPool '" + n.getName() + "' keeps its Indices output '" + idx + "': it is read");
        }
      }
    }
    return changed;
  }
}
