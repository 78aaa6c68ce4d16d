package dev.trtcompat.check;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The model's QuantizeLinear/DequantizeLinear nodes, release-independent, found once per check: which element
 * type each quantizes to and who feeds and reads each tensor (for Q/DQ pairing).
 */
final class QdqIndex {

  /**
   * One Q/DQ node.
   *
   * @param type the quantized element type: the zero point's type, else {@code output_dtype}, else (Q only) the
   *     input type of a DequantizeLinear; null when no type is given (the ONNX default, UINT8)
   */
  record Node(NodeSite site, boolean quantize, ElementType type) {}

  final List<Node> nodes = new ArrayList<>();
  /** The quantized types the model uses, ONNX names, sorted. */
  final TreeSet<String> types = new TreeSet<>();
  final Map<String, List<NodeSite>> consumers = new HashMap<>();
  final Map<String, NodeSite> producers = new HashMap<>();
  final Map<String, TensorInfo> initializers = new HashMap<>();

  static QdqIndex of(ModelIndex ix) {
    QdqIndex q = new QdqIndex();
    if (!ix.opCounts.containsKey("QuantizeLinear") && !ix.opCounts.containsKey("DequantizeLinear")) {
      return q; // most models: nothing to index, and the check stays as fast as before
    }
    for (NodeSite s : ix.sites) {
      for (String in : s.node().getInputList()) {
        if (!in.isEmpty()) {
          q.consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(s);
        }
      }
      for (String out : s.node().getOutputList()) {
        q.producers.put(out, s);
      }
      if (!s.defaultDomain() || !(s.op().equals("QuantizeLinear") || s.op().equals("DequantizeLinear"))) {
        continue;
      }
      boolean quantize = s.op().equals("QuantizeLinear");
      ElementType type = zeroPointType(ix, s);
      if (type == null && quantize) {
        type = NodeRules.attr(s.node(), "output_dtype").filter(AttributeProto::hasI)
            .flatMap(a -> ElementType.fromWire((int) a.getI())).filter(t -> t != ElementType.UNDEFINED).orElse(null);
      }
      if (type == null && !quantize) {
        TensorFact x = ix.fact(s.node().getInput(0));
        type = x == null ? null : x.type();
      }
      q.nodes.add(new Node(s, quantize, type));
      q.types.add(type == null ? "INT8" : type.name());
    }
    if (!q.nodes.isEmpty()) {
      for (TensorInfo t : ix.model.graph().initializers()) {
        q.initializers.put(t.name(), t);
      }
    }
    return q;
  }

  private static ElementType zeroPointType(ModelIndex ix, NodeSite s) {
    if (s.node().getInputCount() < 3 || s.node().getInput(2).isEmpty()) {
      return null;
    }
    TensorFact z = ix.fact(s.node().getInput(2));
    return z == null ? null : z.type();
  }

  boolean present() {
    return !nodes.isEmpty();
  }
}
