package dev.trtcompat.http;

import dev.trtcompat.check.CompatibilityReport;
import java.util.List;

/**
 * What the compatibility routes and page sections derive from a stored model: the checker's report over every
 * release and the main graph's nodes in order (the anchors findings link to).
 */
record ModelAnalysis(CompatibilityReport report, List<GraphNode> nodes) {

  /** One main-graph node as the page lists it; {@code index} is the parser's "node number N". */
  record GraphNode(int index, String op, String name, List<String> inputs, List<String> outputs) {}
}
