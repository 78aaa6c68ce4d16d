package dev.trtcompat.quantize;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Who produces and who consumes each tensor of a main graph, and which tensors are constants. */
final class GraphIndex {

  /** One use of a tensor: input {@code input} of node {@code node}. */
  record Use(int node, int input) {}

  private final GraphProto graph;
  private final Map<String, Integer> producer = new HashMap<>();
  private final Map<String, List<Use>> uses = new HashMap<>();
  private final Map<String, TensorProto> initializers = new HashMap<>();
  private final Set<String> graphInputs = new HashSet<>();
  private final Set<String> graphOutputs = new HashSet<>();
  private final Set<String> names = new HashSet<>();

  GraphIndex(GraphProto graph) {
    this.graph = graph;
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
      names.add(t.getName());
    }
    for (ValueInfoProto v : graph.getInputList()) {
      if (!initializers.containsKey(v.getName())) {
        graphInputs.add(v.getName());
      }
      names.add(v.getName());
    }
    for (ValueInfoProto v : graph.getOutputList()) {
      graphOutputs.add(v.getName());
    }
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto n = graph.getNode(i);
      names.add(n.getName());
      for (int k = 0; k < n.getInputCount(); k++) {
        if (!n.getInput(k).isEmpty()) {
          uses.computeIfAbsent(n.getInput(k), x -> new ArrayList<>()).add(new Use(i, k));
        }
      }
      for (String o : n.getOutputList()) {
        if (!o.isEmpty()) {
          producer.put(o, i);
          names.add(o);
        }
      }
    }
  }

  GraphProto graph() {
    return graph;
  }

  NodeProto node(int i) {
    return graph.getNode(i);
  }

  Optional<NodeProto> producer(String tensor) {
    Integer i = producer.get(tensor);
    return i == null ? Optional.empty() : Optional.of(graph.getNode(i));
  }

  Optional<Integer> producerIndex(String tensor) {
    return Optional.ofNullable(producer.get(tensor));
  }

  List<Use> uses(String tensor) {
    return uses.getOrDefault(tensor, List.of());
  }

  boolean isGraphInput(String tensor) {
    return graphInputs.contains(tensor);
  }

  boolean isGraphOutput(String tensor) {
    return graphOutputs.contains(tensor);
  }

  /** Every node name, tensor name and initializer name in the graph, to keep new names unique. */
  Set<String> names() {
    return names;
  }

  /**
   * The value of a constant tensor: an initializer, the output of a Constant node holding a tensor, or the output
   * of an Identity chain over one of those (PyTorch exports share weights that way).
   */
  Optional<TensorProto> constant(String tensor) {
    String t = tensor;
    for (int hops = 0; hops < 16; hops++) {
      TensorProto init = initializers.get(t);
      if (init != null) {
        return graphInputs.contains(t) ? Optional.empty() : Optional.of(init);
      }
      Integer p = producer.get(t);
      if (p == null) {
        return Optional.empty();
      }
      NodeProto n = graph.getNode(p);
      if (n.getOpType().equals("Constant") && isDefaultDomain(n)) {
        for (AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("value") && a.hasT()) {
            return Optional.of(a.getT());
          }
        }
        return Optional.empty();
      }
      if (n.getOpType().equals("Identity") && isDefaultDomain(n) && n.getInputCount() == 1) {
        t = n.getInput(0);
        continue;
      }
      return Optional.empty();
    }
    return Optional.empty();
  }

  boolean isConstant(String tensor) {
    return constant(tensor).isPresent();
  }

  static boolean isDefaultDomain(NodeProto n) {
    return !n.hasDomain() || n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
  }

  static long intAttribute(NodeProto n, String name, long fallback) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return fallback;
  }
}
