package dev.trtcompat.trtexec;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.trtexec.TrtexecLog.FailingNode;
import java.util.List;

/**
 * The model's node at the index the parser printed, and whether it is the node the log describes.
 *
 * <p>The ONNX parser numbers nodes by their position in {@code graph.node} (0-based), so the index maps
 * straight to the file. It only identifies the right node when the log came from this very file: a model
 * re-exported or simplified since shifts positions, which is why op type, name and first output are
 * compared and a node with the logged name or output is looked up elsewhere in the graph.
 *
 * @param position the index as printed; {@code found} is false when the graph is shorter
 * @param opAgrees null when the log printed no op
 * @param nameAgrees null when the log printed no node name
 * @param outputAgrees null when the log printed no output
 * @param elsewhereIndex where a node with the logged name (or else output) sits when it is not at {@code
 *     position}; null when there is none or it is at {@code position}
 * @param summary one sentence for people
 * @param staticCheck what the static checker says about this node for the release that produced the log;
 *     null when no model was checked
 */
public record ModelNodeMatch(
    int position,
    int modelNodeCount,
    boolean found,
    String modelName,
    String modelOp,
    String modelDomain,
    String modelOutput,
    Boolean opAgrees,
    Boolean nameAgrees,
    Boolean outputAgrees,
    Integer elsewhereIndex,
    String summary,
    NodeFindings staticCheck) {

  /**
   * Maps the logged node into {@code model} and attaches the static checker's findings for that node, for
   * the release {@code tensorrtVersion} (as printed by the log, or the release the run used; may be null).
   */
  public static ModelNodeMatch of(FailingNode logged, OnnxModel model, String tensorrtVersion) {
    ModelNodeMatch m = of(logged, model.graph().nodes());
    return new ModelNodeMatch(m.position, m.modelNodeCount, m.found, m.modelName, m.modelOp, m.modelDomain,
        m.modelOutput, m.opAgrees, m.nameAgrees, m.outputAgrees, m.elsewhereIndex, m.summary,
        NodeFindings.of(model, m.found ? Integer.valueOf(m.position) : m.elsewhereIndex, tensorrtVersion));
  }

  public static ModelNodeMatch of(FailingNode logged, List<NodeProto> nodes) {
    int i = logged.index();
    Integer elsewhere = findElsewhere(logged, nodes);
    if (i < 0 || i >= nodes.size()) {
      String s = "The log names node #" + i + " but the model's main graph has " + nodes.size()
          + " node(s): the log was not produced from this model file"
          + (elsewhere != null ? "; a node with the logged name/output is #" + elsewhere + "." : ".");
      return new ModelNodeMatch(i, nodes.size(), false, null, null, null, null, null, null, null, elsewhere, s, null);
    }
    NodeProto n = nodes.get(i);
    String output = n.getOutputCount() > 0 ? n.getOutput(0) : null;
    Boolean opAgrees = logged.op() == null ? null : logged.op().equals(n.getOpType());
    Boolean nameAgrees = logged.name() == null ? null : logged.name().equals(n.getName());
    Boolean outputAgrees = logged.output() == null ? null : logged.output().equals(output);
    if (elsewhere != null && elsewhere == i) {
      elsewhere = null;
    }
    boolean disagrees = Boolean.FALSE.equals(opAgrees) || Boolean.FALSE.equals(nameAgrees) || Boolean.FALSE.equals(outputAgrees);
    StringBuilder s = new StringBuilder();
    s.append("Node #").append(i).append(" of ").append(nodes.size()).append(" in the model is ")
        .append(n.getOpType().isEmpty() ? "(no op)" : n.getOpType())
        .append(n.getName().isEmpty() ? " (unnamed)" : " '" + n.getName() + "'");
    if (disagrees) {
      s.append("; it does NOT match the log (");
      if (Boolean.FALSE.equals(opAgrees)) {
        s.append("log op ").append(logged.op()).append(' ');
      }
      if (Boolean.FALSE.equals(nameAgrees)) {
        s.append("log name '").append(logged.name()).append("' ");
      }
      if (Boolean.FALSE.equals(outputAgrees)) {
        s.append("log output '").append(logged.output()).append("' ");
      }
      s.setLength(s.length() - 1);
      s.append("): the model differs from the one trtexec parsed");
      if (elsewhere != null) {
        s.append("; the logged node looks like #").append(elsewhere);
      }
      s.append('.');
    } else if (opAgrees == null && nameAgrees == null && outputAgrees == null) {
      s.append("; the log printed nothing to confirm it is the same node.");
    } else {
      s.append("; it matches the log.");
    }
    return new ModelNodeMatch(i, nodes.size(), true, n.getName(), n.getOpType(), n.getDomain(), output,
        opAgrees, nameAgrees, outputAgrees, elsewhere, s.toString(), null);
  }

  private static Integer findElsewhere(FailingNode logged, List<NodeProto> nodes) {
    if (logged.name() != null) {
      for (int k = 0; k < nodes.size(); k++) {
        if (logged.name().equals(nodes.get(k).getName())) {
          return k;
        }
      }
    }
    if (logged.output() != null) {
      for (int k = 0; k < nodes.size(); k++) {
        if (nodes.get(k).getOutputCount() > 0 && logged.output().equals(nodes.get(k).getOutput(0))) {
          return k;
        }
      }
    }
    return null;
  }
}
