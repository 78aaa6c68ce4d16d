package dev.trtcompat.rules;

import java.util.List;
import java.util.Map;

/**
 * The ONNX operator schema history (since-versions per operator), so a node can be placed at the schema
 * version its model's opset selects.
 */
public record OnnxOperatorVersions(String source, Map<String, Map<String, List<Integer>>> domains) {

  /**
   * The since-version of the schema that opset {@code opset} selects for {@code op}, or -1 when ONNX (as far
   * as this table knows) has no such operator at that opset.
   */
  public int schemaVersion(String domain, String op, long opset) {
    Map<String, List<Integer>> ops = domains.get(domain);
    List<Integer> versions = ops == null ? null : ops.get(op);
    if (versions == null) {
      return -1;
    }
    int best = -1;
    for (int v : versions) {
      if (v <= opset && v > best) {
        best = v;
      }
    }
    return best;
  }

  /** True when the table knows the operator at all (at any opset). */
  public boolean knows(String domain, String op) {
    Map<String, List<Integer>> ops = domains.get(domain);
    return ops != null && ops.containsKey(op);
  }
}
