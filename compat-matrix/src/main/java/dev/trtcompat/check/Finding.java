package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One observation about a model for one release.
 *
 * @param node the node's name (or {@code Op_index} when it has none); null for model-level findings
 * @param nodeIndex the index TensorRT's parser prints in "While parsing node number N": 0-based position in
 *     the main graph; for a node in a subgraph or local function, the enclosing top-level node's index
 * @param path for nodes, the path from the main graph, e.g. {@code Loop_3/body/Add_1}
 * @param rule a stable rule id; ids ending in {@code .unknown} mark a fact the knowledge base lacks
 * @param fix what to do about it, written for the model's author
 */
public record Finding(
    Severity severity,
    String node,
    Integer nodeIndex,
    String op,
    String path,
    String rule,
    String message,
    String fix) {

  /** The finding stands for a missing fact, which turns an otherwise clean verdict into {@code unknown}. */
  @JsonIgnore
  public boolean unknownFact() {
    return rule.endsWith(".unknown");
  }
}
