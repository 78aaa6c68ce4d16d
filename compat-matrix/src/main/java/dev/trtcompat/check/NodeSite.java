package dev.trtcompat.check;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;

/**
 * A node with where it sits: its top-level index (what TensorRT prints in "While parsing node number N";
 * for a node inside an If/Loop/Scan body or a local function, the index of the enclosing top-level node) and
 * its path from the main graph.
 *
 * @param id the site's index in {@link ModelIndex#sites}, for the index's per-site caches
 * @param op the node's op type; with {@code defaultDomain}, read from the node once, as the rules ask for both
 *     in every release group
 * @param opset the default-domain opset that selects the node's schema
 * @param inFunction the node belongs to a model-local function body
 */
record NodeSite(
    NodeProto node,
    int id,
    String op,
    boolean defaultDomain,
    int topIndex,
    String name,
    String path,
    long opset,
    boolean inFunction) {

  static NodeSite of(NodeProto node, int id, int topIndex, String name, String path, long opset, boolean inFunction) {
    String d = node.getDomain();
    boolean defaultDomain = d.isEmpty() || d.equals("ai.onnx");
    return new NodeSite(node, id, node.getOpType(), defaultDomain, topIndex, name, path, opset, inFunction);
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
