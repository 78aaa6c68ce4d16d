package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.LinkedHashSet;
import java.util.Set;

/** Names an If/Loop/Scan body reads from the enclosing graph: they count as uses that must not be removed. */
final class SubgraphNames {

  private SubgraphNames() {}

  static Set<String> outerReads(NodeProto n) {
    Set<String> out = new LinkedHashSet<>();
    for (AttributeProto a : n.getAttributeList()) {
      if (a.hasG()) {
        collect(a.getG(), out);
      }
      a.getGraphsList().forEach(g -> collect(g, out));
    }
    return out;
  }

  private static void collect(GraphProto g, Set<String> out) {
    Set<String> local = new LinkedHashSet<>();
    g.getInputList().forEach(v -> local.add(v.getName()));
    g.getInitializerList().forEach(t -> local.add(t.getName()));
    for (NodeProto n : g.getNodeList()) {
      local.addAll(n.getOutputList());
    }
    for (NodeProto n : g.getNodeList()) {
      for (String in : n.getInputList()) {
        if (!in.isEmpty() && !local.contains(in)) {
          out.add(in);
        }
      }
      for (String in : outerReads(n)) {
        if (!local.contains(in)) {
          out.add(in);
        }
      }
    }
    g.getOutputList().forEach(v -> {
      if (!local.contains(v.getName())) {
        out.add(v.getName());
      }
    });
  }
}
