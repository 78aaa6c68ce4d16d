package dev.trtcompat.quantize;

import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Nodes chosen by the user the way {@code --exclude} and {@code --keep-fp32} choose them: each entry is a node name
 * or an operator type.
 */
public final class NodeSelection {

  private NodeSelection() {}

  /** The entries of {@code namesOrOps} that match no node name and no operator type of {@code graph}, in order. */
  public static List<String> unmatched(GraphProto graph, Collection<String> namesOrOps) {
    Set<String> present = new HashSet<>();
    for (NodeProto n : graph.getNodeList()) {
      present.add(n.getName());
      present.add(n.getOpType());
    }
    return namesOrOps.stream().filter(k -> !present.contains(k)).toList();
  }
}
