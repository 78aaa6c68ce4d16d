package dev.trtcompat.trtexec;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.Finding;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.ReleaseRules;
import java.util.List;

/**
 * The static checker's findings for the node a real parse stopped at, so a measured failure comes with
 * the predicted reason and its fix.
 *
 * @param checkedRelease the knowledge-base release the findings are for; null when none could be chosen
 * @param note why that release was chosen, or why nothing was checked
 * @param findings findings whose node index is the failing node (subgraph findings count for the
 *     enclosing top-level node, as the parser numbers them)
 */
public record NodeFindings(String checkedRelease, String note, List<Finding> findings) {

  static NodeFindings of(OnnxModel model, Integer nodeIndex, String tensorrtVersion) {
    if (nodeIndex == null) {
      return new NodeFindings(null, "the logged node is not in this model; nothing to check", List.of());
    }
    CompatibilityChecker checker = CompatibilityChecker.bundled();
    List<ReleaseRules> releases = checker.knowledgeBase().releases();
    if (tensorrtVersion == null || tensorrtVersion.isBlank()) {
      return new NodeFindings(null, "the log does not print its TensorRT version; run `trt-compat check` for all releases", List.of());
    }
    String wanted = KnowledgeBase.normalize(tensorrtVersion);
    ReleaseRules chosen = null;
    for (ReleaseRules r : releases) {
      if (compare(r.release(), wanted) <= 0) {
        chosen = r;
      }
    }
    if (chosen == null) {
      return new NodeFindings(null, "TensorRT " + wanted + " is older than every release in the knowledge base", List.of());
    }
    String note = chosen.release().equals(wanted)
        ? "checked against TensorRT " + wanted
        : "TensorRT " + wanted + " is not in the knowledge base; checked against " + chosen.release()
            + ", the closest older release";
    int index = nodeIndex;
    List<Finding> findings = checker.check(model, List.of(chosen.release())).results().get(0).findings().stream()
        .filter(f -> f.nodeIndex() != null && f.nodeIndex() == index)
        .toList();
    return new NodeFindings(chosen.release(), note, findings);
  }

  /** Orders MAJOR.MINOR strings numerically (10.0 after 9.3). */
  static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    int c = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
    return c != 0 ? c : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
  }
}
