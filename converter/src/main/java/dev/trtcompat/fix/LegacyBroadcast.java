package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.util.ArrayList;
import java.util.List;

/**
 * Opset 7's move from the legacy broadcast to numpy broadcasting (ONNX changelog, Add-7 and the other binary ops,
 * PRelu-7). The legacy rule lines the second input up with the first from {@code axis} (default: the suffix);
 * numpy lines it up from the end. Where those differ, the second input gets trailing 1s: its initializer a copy
 * with the new dims (same bytes), otherwise an Unsqueeze in front of the node.
 */
final class LegacyBroadcast {

  private LegacyBroadcast() {}

  /** Add/Sub/Mul/Div/Pow and the comparisons and logic ops below 7: {@code broadcast}, {@code axis} removed. */
  static String toNumpy(NodeProto[] cur, Analysis a, FixGraph g, OpsetUpgradeRules.Staged s) {
    NodeProto n = cur[0];
    NodeProto plain = Attrs.without(Attrs.without(n, "broadcast"), "axis");
    if (Attrs.i(n, "broadcast", 0) == 0 || Attrs.find(n, "axis") == null) {
      // broadcast=0: equal shapes, the same under numpy; broadcast=1 without axis: suffix, numpy's own alignment
      cur[0] = plain;
      return null;
    }
    int rankA = a.shape(n.getInput(0)).rank();
    int rankB = a.shape(n.getInput(1)).rank();
    if (rankA < 0 || rankB < 0) {
      return "rank of " + (rankA < 0 ? n.getInput(0) : n.getInput(1)) + " unknown (axis " + Attrs.i(n, "axis", 0)
          + " needs it)";
    }
    long axis = Attrs.i(n, "axis", 0);
    int trailing = (int) (rankA - (axis < 0 ? axis + rankA : axis) - rankB);
    if (trailing < 0) {
      return "axis " + axis + " does not fit the ranks " + rankA + " and " + rankB;
    }
    cur[0] = trailing == 0 ? plain : withTrailingOnes(plain, 1, rankB, trailing, g, s);
    return null;
  }

  /**
   * PRelu below 7: a slope of one value per channel (axis 1), which numpy would line up with the last axis, so a
   * slope of shape [C] on an input of rank r becomes [C, 1, ...] with r - 2 ones.
   */
  static String perChannelSlope(NodeProto[] cur, Analysis a, FixGraph g, OpsetUpgradeRules.Staged s) {
    NodeProto n = cur[0];
    TypeShape x = a.shape(n.getInput(0));
    TypeShape slope = a.shape(n.getInput(1));
    if (x.rank() < 0 || slope.dims() == null) {
      return "rank of the input or shape of the slope unknown";
    }
    long count = 1;
    for (long d : slope.dims()) {
      count *= d;
    }
    if (count == 1 || x.rank() <= 2 || slope.rank() == x.rank() - 1) {
      return null; // one shared value, channels already last, or already [C, 1, ...]
    }
    if (slope.rank() != 1) {
      return "slope of rank " + slope.rank() + " on an input of rank " + x.rank();
    }
    cur[0] = withTrailingOnes(n, 1, 1, x.rank() - 2, g, s);
    return null;
  }

  private static NodeProto withTrailingOnes(NodeProto n, int input, int rank, int ones, FixGraph g,
      OpsetUpgradeRules.Staged s) {
    String in = n.getInput(input);
    TensorProto init = g.initializers.get(in);
    String moved;
    if (init != null) {
      TensorProto.Builder b = init.toBuilder();
      for (int i = 0; i < ones; i++) {
        b.addDims(1);
      }
      moved = s.constant(in + "_reshaped", b);
    } else {
      List<Long> axes = new ArrayList<>();
      for (int i = 0; i < ones; i++) {
        axes.add((long) (rank + i));
      }
      moved = g.freshName(in + "_unsqueezed");
      s.nodes.add(NodeProto.newBuilder().setOpType("Unsqueeze").setName(moved).addInput(in).addOutput(moved)
          .addAttribute(Attrs.ofInts("axes", axes)).build());
    }
    return n.toBuilder().setInput(input, moved).build();
  }
}
