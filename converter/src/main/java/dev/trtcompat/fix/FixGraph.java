package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The main graph of a model being fixed, in a form passes can edit: nodes in order, initializers by name,
 * inputs, outputs and value infos. Initializer payloads are protobuf {@code ByteString}s that alias the
 * source file's mapping (see {@link ModelFiles}), so holding them costs no heap.
 *
 * <p>Everything else of the model (metadata, functions, training info, doc strings) is kept in {@link #rest}
 * and written back unchanged.
 */
final class FixGraph {

  ModelProto rest;
  final GraphProto graphRest;
  final List<NodeProto> nodes;
  final LinkedHashMap<String, TensorProto> initializers = new LinkedHashMap<>();
  final List<ValueInfoProto> inputs;
  final List<ValueInfoProto> outputs;
  final LinkedHashMap<String, ValueInfoProto> valueInfo = new LinkedHashMap<>();
  private int fresh;

  FixGraph(ModelProto model) {
    GraphProto g = model.getGraph();
    this.rest = model.toBuilder().clearGraph().build();
    this.graphRest = g.toBuilder().clearNode().clearInitializer().clearInput().clearOutput().clearValueInfo().build();
    this.nodes = new ArrayList<>(g.getNodeList());
    g.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
    this.inputs = new ArrayList<>(g.getInputList());
    this.outputs = new ArrayList<>(g.getOutputList());
    g.getValueInfoList().forEach(v -> valueInfo.put(v.getName(), v));
  }

  ModelProto toModel() {
    GraphProto g = graphRest.toBuilder()
        .addAllNode(nodes)
        .addAllInitializer(initializers.values())
        .addAllInput(inputs)
        .addAllOutput(outputs)
        .addAllValueInfo(valueInfo.values())
        .build();
    return rest.toBuilder().setGraph(g).build();
  }

  /** The default-domain opset the model imports. */
  long opset() {
    for (OperatorSetIdProto o : rest.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        return o.getVersion();
      }
    }
    return 1;
  }

  /** Sets the default-domain opset import to {@code version} (opset moves); other domains keep theirs. */
  void setDefaultOpset(long version) {
    ModelProto.Builder b = rest.toBuilder().clearOpsetImport();
    for (OperatorSetIdProto o : rest.getOpsetImportList()) {
      boolean dflt = o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx");
      b.addOpsetImport(dflt ? o.toBuilder().setVersion(version).build() : o);
    }
    rest = b.build();
  }

  static boolean defaultDomain(NodeProto n) {
    return n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
  }

  Set<String> graphOutputNames() {
    Set<String> s = new HashSet<>();
    outputs.forEach(o -> s.add(o.getName()));
    return s;
  }

  Set<String> graphInputNames() {
    Set<String> s = new HashSet<>();
    inputs.forEach(o -> s.add(o.getName()));
    return s;
  }

  /** Tensor name to the number of node inputs and graph outputs reading it (subgraphs included). */
  Map<String, Integer> useCounts() {
    Map<String, Integer> uses = new HashMap<>();
    for (NodeProto n : nodes) {
      for (String in : n.getInputList()) {
        if (!in.isEmpty()) {
          uses.merge(in, 1, Integer::sum);
        }
      }
      for (String in : SubgraphNames.outerReads(n)) {
        uses.merge(in, 1, Integer::sum);
      }
    }
    outputs.forEach(o -> uses.merge(o.getName(), 1, Integer::sum));
    return uses;
  }

  /** Tensor name to the nodes that read it, in graph order. */
  Map<String, List<NodeProto>> consumers() {
    Map<String, List<NodeProto>> c = new HashMap<>();
    for (NodeProto n : nodes) {
      for (String in : n.getInputList()) {
        if (!in.isEmpty()) {
          c.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
      }
    }
    return c;
  }

  /** A tensor name not used anywhere in the graph, starting with {@code base}. */
  String freshName(String base) {
    Set<String> used = new HashSet<>(initializers.keySet());
    for (NodeProto n : nodes) {
      used.addAll(n.getInputList());
      used.addAll(n.getOutputList());
    }
    inputs.forEach(v -> used.add(v.getName()));
    String name;
    do {
      name = base + "__fix" + (fresh++);
    } while (used.contains(name));
    return name;
  }

  /** Replaces every read of {@code from} by {@code to} in node inputs (graph outputs keep their names). */
  void renameReads(String from, String to) {
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      if (n.getInputList().contains(from)) {
        NodeProto.Builder b = n.toBuilder();
        for (int k = 0; k < b.getInputCount(); k++) {
          if (b.getInput(k).equals(from)) {
            b.setInput(k, to);
          }
        }
        nodes.set(i, b.build());
      }
    }
  }
}
