package dev.trtcompat.check;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;

/**
 * A node with where it sits: its top-level index (what TensorRT prints in "While parsing node number N";
 * for a node inside an If/Loop/Scan body or a local function, the index of the enclosing top-level node) and
 * its path from the main graph.
 *
 * @param id the site's index in {@link ModelIndex#sites}, for the index's per-site caches
 * @param opId the op type's index in {@link ModelIndex#opTypes}, for the rules' per-op caches
 * @param op the node's op type; with {@code defaultDomain}, read from the node once, as the rules ask for both
 *     in every release group
 * @param inputCount the node's input count (empty inputs included), read once: a pass that needs only this would
 *     otherwise reach into each of 300k parsed nodes again
 * @param indexInGraph the node's index in its own graph or function body, which names a nameless node
 * @param parentPath the path of the graph or body holding the node; null for the main graph
 * @param opset the default-domain opset that selects the node's schema
 * @param inFunction the node belongs to a model-local function body
 */
record NodeSite(
    NodeProto node,
    int id,
    int opId,
    String op,
    boolean defaultDomain,
    int inputCount,
    int topIndex,
    int indexInGraph,
    String parentPath,
    long opset,
    boolean inFunction) {

  static NodeSite of(
      NodeProto node, int id, int opId, String op, int topIndex, int indexInGraph, String parentPath, long opset,
      boolean inFunction) {
    String d = node.getDomain();
    boolean defaultDomain = d.isEmpty() || d.equals("ai.onnx");
    return new NodeSite(node, id, opId, op, defaultDomain, node.getInputCount(), topIndex, indexInGraph, parentPath,
        opset, inFunction);
  }

  /**
   * The node's name, or {@code Op_index} for a nameless one. Built when a finding asks, not per node: building it
   * for each of 300k nameless nodes was a visible share of a large check (docs/benchmarks.md, fifth session).
   */
  String name() {
    return displayName(node, indexInGraph);
  }

  /** Where the node sits: its name in the main graph, else the holding graph's path, then its name. */
  String path() {
    return parentPath == null ? name() : parentPath + "/" + name();
  }

  static String displayName(NodeProto n, int indexInGraph) {
    return n.getName().isEmpty() ? n.getOpType() + "_" + indexInGraph : n.getName();
  }

  String domain() {
    String d = node.getDomain();
    return d.isEmpty() ? "ai.onnx" : d;
  }

  /** The op as the inspect summary writes it: {@code Op} or {@code domain:Op}. */
  String opKey() {
    return defaultDomain() ? op() : domain() + ":" + op();
  }
}
