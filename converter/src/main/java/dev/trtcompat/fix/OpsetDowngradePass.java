package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Moves the model to an older opset that a target release's parser documents, when every schema change in between
 * is one this pass knows to be harmless or can undo: type lists widened (BFLOAT16 and integer types added),
 * optional attributes or inputs added and left unused, and inputs that were attributes before (Squeeze/Unsqueeze
 * axes, ReduceSum and, from opset 18, every Reduce* axes, Split split) turned back into attributes when constant;
 * Softmax/LogSoftmax/Hardmax-13 only over the last axis (where the old coerce-to-2D rule gives the same result).
 * Any other change, a subgraph, a local function or a BFLOAT16 tensor leaves the model at its opset.
 */
final class OpsetDowngradePass implements FixPass {

  /** Schema versions whose change is types or an optional, unused addition only ({@code Op-version}). */
  private static final Set<String> HARMLESS = Set.of(
      "Clip-12", "Max-12", "Min-12", "Pow-12", "MaxPool-12", "ReduceMax-12", "ReduceMin-12", "Abs-13", "Add-13",
      "ArgMax-13", "ArgMin-13", "Cast-13", "Ceil-13", "Clip-13", "Concat-13", "DepthToSpace-13", "Div-13",
      "Equal-13", "Erf-13", "Exp-13", "Expand-13", "Flatten-13", "Floor-13", "Gather-13", "GatherElements-13",
      "GatherND-13", "Gemm-13", "Greater-13", "Identity-13", "IsNaN-13", "Less-13", "Log-13", "LRN-13",
      "MatMul-13", "Max-13", "Mean-13", "Min-13", "Mod-13", "Mul-13", "Neg-13", "NonZero-13", "Pad-13", "Pow-13",
      "Reciprocal-13", "ReduceL1-13", "ReduceL2-13", "ReduceLogSum-13", "ReduceLogSumExp-13", "ReduceMax-13",
      "ReduceMean-13", "ReduceMin-13", "ReduceProd-13", "ReduceSumSquare-13", "Relu-13", "Reshape-13",
      "ScatterElements-13", "ScatterND-13", "Shape-13", "Sigmoid-13", "Sign-13", "Size-13", "Slice-13",
      "SpaceToDepth-13", "Sqrt-13", "Sub-13", "Sum-13", "Tanh-13", "Tile-13", "Transpose-13", "BatchNormalization-15",
      "Add-14", "Sub-14", "Mul-14", "Div-14", "Relu-14", "Identity-14", "CumSum-14", "Pow-15", "Where-16",
      "Identity-16", "LeakyRelu-16", "PRelu-16", "GreaterOrEqual-16", "LessOrEqual-16", "Constant-12",
      "Constant-13", "Dropout-12", "Dropout-13", "ArgMax-12", "ArgMin-12", "GatherND-12", "Reshape-14",
      "BatchNormalization-14", "Shape-15", "LSTM-14", "GRU-14", "RNN-14", "ScatterElements-16", "ScatterND-16",
      "Resize-13", "Resize-18", "Pad-18", "Squeeze-13", "Unsqueeze-13", "ReduceSum-13", "Split-13", "Split-18",
      "Softmax-13", "LogSoftmax-13", "Hardmax-13", "ReduceMean-18", "ReduceMax-18", "ReduceMin-18",
      "ReduceProd-18", "ReduceL1-18", "ReduceL2-18", "ReduceLogSum-18", "ReduceLogSumExp-18", "ReduceSumSquare-18",
      "ScatterElements-18", "ScatterND-18");

  /**
   * Versions whose widening added integer types: crossing them back is safe only for floating-point inputs
   * (plus INT32/INT64 where the older schema had those already).
   */
  private static final Set<String> FLOAT_ONLY_BEFORE = Set.of("Clip-12", "Max-12", "Min-12", "Pow-12", "Pow-15",
      "MaxPool-12", "Relu-14", "LeakyRelu-16", "PRelu-16");
  private static final Set<String> FLOAT_OR_INT_BEFORE = Set.of("Add-14", "Sub-14", "Mul-14", "Div-14",
      "ReduceMax-12", "ReduceMin-12");
  private static final Set<Integer> FLOATS = Set.of(1, 10, 11);
  private static final Set<Integer> FLOATS_AND_INTS = Set.of(1, 10, 11, 6, 7);

  /** Attributes added with a default that keeps the old behaviour: allowed when absent or at that default. */
  private static final List<String[]> DEFAULTED = List.of(
      new String[] {"select_last_index", "0"}, new String[] {"batch_dims", "0"}, new String[] {"allowzero", "0"},
      new String[] {"training_mode", "0"}, new String[] {"layout", "0"}, new String[] {"antialias", "0"},
      new String[] {"keep_aspect_ratio_policy", "stretch"}, new String[] {"reduction", "none"});

  private static final Set<String> REDUCE = Set.of("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
      "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare");

  @Override
  public String name() {
    return "opset-downgrade";
  }

  @Override
  public String reason() {
    return "older parsers document older opsets; schemas newer than that make the verdict unknown";
  }

  @Override
  public Set<String> removes() {
    return Set.of("op.schema_newer_than_parser.unknown", "parser.opset_above_documented");
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    long from = g.opset();
    if (ctx.operators == null || !g.rest.getFunctionsList().isEmpty() || usesBfloat16(g)) {
      return false;
    }
    // The operator history ends at some opset (ONNX 1.22's registrations); past it, it cannot tell what changed,
    // so a model there stays where it is.
    if (from > newestKnownOpset(ctx)) {
      return false;
    }
    for (NodeProto n : g.nodes) {
      if (n.getAttributeList().stream().anyMatch(a -> a.hasG() || a.getGraphsCount() > 0)) {
        return false;
      }
    }
    for (int target : ctx.targetOpsetMax) {
      if (target >= from) {
        break;
      }
      List<NodeProto> moved = downgrade(g, ctx, from, target);
      if (moved != null) {
        g.nodes.clear();
        g.nodes.addAll(moved);
        g.setDefaultOpset(target);
        ctx.note(name(), "opset " + from + " → " + target);
        return true;
      }
    }
    return false;
  }

  private static long newestKnownOpset(FixContext ctx) {
    return ctx.operators.domains().getOrDefault("ai.onnx", Map.of()).values().stream()
        .flatMap(List::stream).mapToLong(Integer::longValue).max().orElse(0);
  }

  private static boolean usesBfloat16(FixGraph g) {
    int bf16 = 16;
    List<ValueInfoProto> all = new ArrayList<>(g.inputs);
    all.addAll(g.outputs);
    all.addAll(g.valueInfo.values());
    return all.stream().anyMatch(v -> v.getType().getTensorType().getElemType() == bf16)
        || g.initializers.values().stream().anyMatch(t -> t.getDataType() == bf16)
        || g.nodes.stream().anyMatch(n -> n.getOpType().equals("Cast") && Attrs.i(n, "to", 0) == bf16);
  }

  /** The nodes rewritten for {@code target}, or null when one of them cannot move. */
  private static List<NodeProto> downgrade(FixGraph g, FixContext ctx, long from, int target) {
    Analysis a = Analysis.of(g);
    List<NodeProto> out = new ArrayList<>();
    for (NodeProto n : g.nodes) {
      if (!FixGraph.defaultDomain(n)) {
        out.add(n);
        continue;
      }
      int now = ctx.operators.schemaVersion("ai.onnx", n.getOpType(), from);
      int then = ctx.operators.schemaVersion("ai.onnx", n.getOpType(), target);
      // Before the equality test: an operator without a schema at the target (or unknown to the history, where
      // both are -1) cannot move, e.g. GroupNormalization-18 has none at opset 17.
      if (then < 0) {
        return null;
      }
      if (now == then) {
        out.add(n);
        continue;
      }
      NodeProto m = n;
      for (int v = then + 1; v <= now; v++) {
        if (ctx.operators.schemaVersion("ai.onnx", n.getOpType(), v) != v) {
          continue; // not a schema version of this op
        }
        String key = n.getOpType() + "-" + v;
        if (!HARMLESS.contains(key)
            || FLOAT_ONLY_BEFORE.contains(key) && !inputsTyped(n, a, FLOATS)
            || FLOAT_OR_INT_BEFORE.contains(key) && !inputsTyped(n, a, FLOATS_AND_INTS)) {
          return null;
        }
      }
      m = undo(m, a, target, g);
      if (m == null) {
        return null;
      }
      out.add(m);
    }
    return out;
  }

  /** Every input's element type is known and in {@code allowed}. */
  private static boolean inputsTyped(NodeProto n, Analysis a, Set<Integer> allowed) {
    for (String in : n.getInputList()) {
      if (!in.isEmpty() && !allowed.contains(a.shape(in).elemType())) {
        return false;
      }
    }
    return true;
  }

  /** Undoes the changes between the node's schema and the one at {@code target}; null when it cannot. */
  private static NodeProto undo(NodeProto n, Analysis a, int target, FixGraph g) {
    for (String[] d : DEFAULTED) {
      AttributeProto at = Attrs.find(n, d[0]);
      if (at != null) {
        String v = at.getType() == AttributeProto.AttributeType.STRING ? at.getS().toStringUtf8()
            : Long.toString(at.getI());
        if (!v.equals(d[1])) {
          return null;
        }
        n = Attrs.without(n, d[0]);
      }
    }
    String op = n.getOpType();
    switch (op) {
      case "Constant" -> {
        return n.getAttributeCount() == 1 && Attrs.find(n, "value") != null ? n : null;
      }
      case "Dropout" -> {
        // seed (opset 12) only matters in training mode, which a single-input Dropout never is
        // the mask output of Dropout-10 is not the all-true mask of later versions at inference: keep those
        boolean mask = n.getOutputCount() > 1 && !n.getOutput(1).isEmpty();
        return n.getInputCount() == 1 && !mask ? Attrs.without(n, "seed") : null;
      }
      case "BatchNormalization" -> {
        return n.getOutputCount() == 1 ? n : null;
      }
      case "Shape" -> {
        return Attrs.find(n, "start") == null && Attrs.find(n, "end") == null ? n : null;
      }
      case "Pad" -> {
        return n.getInputCount() <= 3 ? n : null;
      }
      case "Resize" -> {
        if (Attrs.find(n, "axes") != null) {
          return null;
        }
        if (target < 13) {
          NodeProto.Builder b = n.toBuilder();
          for (int i = 1; i <= 2 && i < b.getInputCount(); i++) {
            if (b.getInput(i).isEmpty()) {
              String empty = g.freshName(n.getOutput(0) + (i == 1 ? "_roi" : "_scales"));
              g.initializers.put(empty, TensorProto.newBuilder().setName(empty).setDataType(1).addDims(0).build());
              b.setInput(i, empty);
            }
          }
          return b.build();
        }
        return n;
      }
      case "Softmax", "LogSoftmax", "Hardmax" -> {
        TypeShape x = a.shape(n.getInput(0));
        long axis = Attrs.i(n, "axis", -1);
        if (x.dims() == null || (axis < 0 ? axis + x.rank() : axis) != x.rank() - 1) {
          return null;
        }
        return Attrs.without(n, "axis").toBuilder().addAttribute(Attrs.ofInt("axis", x.rank() - 1)).build();
      }
      case "Squeeze", "Unsqueeze", "Split" -> {
        if (Attrs.find(n, "num_outputs") != null) {
          return null;
        }
        return target < 13 ? inputToAttribute(n, a, op.equals("Split") ? "split" : "axes") : n;
      }
      default -> {
        if (REDUCE.contains(op)) {
          boolean axesInput = op.equals("ReduceSum") ? target < 13 : target < 18;
          if (!axesInput) {
            return n;
          }
          if (Attrs.i(n, "noop_with_empty_axes", 0) != 0) {
            return null;
          }
          return inputToAttribute(Attrs.without(n, "noop_with_empty_axes"), a, "axes");
        }
        return n;
      }
    }
  }

  /** Input 1, when present, must be constant; it becomes the attribute {@code attr} and the input is dropped. */
  private static NodeProto inputToAttribute(NodeProto n, Analysis a, String attr) {
    if (n.getInputCount() < 2 || n.getInput(1).isEmpty()) {
      return n.toBuilder().clearInput().addInput(n.getInput(0)).build();
    }
    HostTensor v = a.value(n.getInput(1));
    if (v == null || v.type() != ElementType.INT64) {
      return null;
    }
    List<Long> values = Arrays.stream(Tensors.longs(v)).boxed().toList();
    return n.toBuilder().clearInput().addInput(n.getInput(0)).addAttribute(Attrs.ofInts(attr, values)).build();
  }
}
