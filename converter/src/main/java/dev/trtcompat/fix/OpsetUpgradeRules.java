package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node's move to a newer schema, one schema version at a time ({@code Op-version} as in the ONNX operator
 * changelog, docs/Changelog.md; the facts were read with {@code onnx.defs.get_schema(op, max_inclusive_version=v)}
 * in onnx 1.12). A version this class does not know stops the move with its reason; nothing is guessed.
 */
final class OpsetUpgradeRules {

  /**
   * Versions whose change keeps every valid older node's meaning: widened type lists, attributes or inputs added
   * with a default that is the old behaviour, negative axes allowed, optional outputs added. Onnx's own version
   * converter registers these as compatible too (version_converter/convert.h).
   */
  private static final Set<String> KEEP = Set.of(
      // 6 -> 7: count_include_pad added, default 0 (pads not counted), the old behaviour
      "AveragePool-7",
      // 7 -> 8: the storage_order attribute (default 0) and the optional Indices output added
      "MaxPool-8",
      // 8: multidirectional broadcasting added; the older versions required equal shapes, which broadcast alike
      "Max-8", "Min-8", "Sum-8", "Mean-8",
      // 9: type lists widened (integer types, or string for Cast)
      "Constant-9", "Flatten-9", "Gemm-9", "MatMul-9", "PRelu-9", "Greater-9", "Less-9", "Cast-9",
      // 10: ceil_mode (default 0, floor: the old output length) and MaxPool dilations (default 1) added;
      // Dropout's mask became BOOL (only nodes whose mask nobody reads get here)
      "AveragePool-10", "MaxPool-10", "Dropout-10",
      // 11: negative axes allowed, shape inference or docs refined, Constant sparse_value and Gemm's optional C
      // added; Equal widened to more types. Flatten/Softmax/LogSoftmax keep axis default 1 and the 2-D coercion
      // through 11 (both change at 13)
      "AveragePool-11", "MaxPool-11", "Concat-11", "Constant-11", "Conv-11", "ConvTranspose-11", "Flatten-11",
      "Gather-11", "Gemm-11", "LogSoftmax-11", "Softmax-11", "Hardmax-11", "Squeeze-11", "Unsqueeze-11",
      "Split-11", "Slice-11", "Equal-11", "ArgMax-11", "ArgMin-11", "ReduceSum-11", "ReduceMean-11",
      "ReduceMax-11", "ReduceMin-11", "ReduceProd-11", "ReduceL1-11", "ReduceL2-11", "ReduceLogSum-11",
      "ReduceLogSumExp-11", "ReduceSumSquare-11");

  /** Ops whose version 6 removed {@code consumed_inputs} (a legacy in-place hint) and widened types only. */
  private static final Set<String> CONSUMED_INPUTS_AT_6 = Set.of("Abs", "Add", "BatchNormalization", "Ceil", "Clip",
      "Div", "Dropout", "Elu", "Exp", "Floor", "HardSigmoid", "InstanceNormalization", "LeakyRelu", "Log", "Max",
      "Mean", "Min", "Mul", "Neg", "PRelu", "Reciprocal", "Relu", "Selu", "Sigmoid", "Sqrt", "Sub", "Sum", "Tanh");

  /** Ops whose version 7 replaced the legacy {@code broadcast}/{@code axis} attributes by numpy broadcasting. */
  private static final Set<String> LEGACY_BROADCAST_AT_7 = Set.of("Add", "Sub", "Mul", "Div", "Pow", "And", "Or",
      "Xor", "Equal", "Greater", "Less");

  private OpsetUpgradeRules() {}

  /** Nodes and initializers a move adds, kept apart until every node of the model has moved. */
  static final class Staged {
    final List<NodeProto> nodes = new ArrayList<>();
    final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final FixGraph g;

    Staged(FixGraph g) {
      this.g = g;
    }

    String constant(String base, TensorProto.Builder t) {
      String name = g.freshName(base);
      initializers.put(name, t.setName(name).build());
      return name;
    }

    String int64s(String base, long[] values) {
      HostTensor h = Tensors.ofLongs(ElementType.INT64, new long[] {values.length}, values);
      return constant(base, Tensors.encode("", h).toBuilder());
    }
  }

  /** Why the node stops at version {@code v}, or null with the node (in {@code cur[0]}) moved to it. */
  static String apply(String key, NodeProto[] cur, Analysis a, FixGraph g, Staged s) {
    NodeProto n = cur[0];
    String op = n.getOpType();
    if (KEEP.contains(key)) {
      return null;
    }
    if (key.equals(op + "-6") && CONSUMED_INPUTS_AT_6.contains(op)) {
      n = Attrs.without(n, "consumed_inputs");
      if (op.equals("Selu")) {
        // Selu-1's defaults were 1.6732 and 1.0507; Selu-6's are the exact constants: keep the old ones explicit
        n = explicit(explicit(n, Attrs.ofFloat("alpha", 1.6732f)), Attrs.ofFloat("gamma", 1.0507f));
      }
      cur[0] = n;
      return null;
    }
    if (key.equals(op + "-7") && LEGACY_BROADCAST_AT_7.contains(op)) {
      return LegacyBroadcast.toNumpy(cur, a, g, s);
    }
    switch (key) {
      case "Gemm-6" -> {
        return null; // type constraints only (onnx's converter: compatible 5 -> 6)
      }
      case "Gemm-7" -> {
        // C broadcast to (M, N): with broadcast=1 the legacy suffix rule, which numpy's unidirectional rule
        // reproduces; with broadcast=0 C already is (M, N)
        cur[0] = Attrs.without(n, "broadcast");
        return null;
      }
      case "PRelu-7" -> {
        return LegacyBroadcast.perChannelSlope(cur, a, g, s);
      }
      case "Concat-4" -> {
        // the axis became required; Concat-1's default was 1
        cur[0] = explicit(n, Attrs.ofInt("axis", 1));
        return null;
      }
      case "BatchNormalization-7", "Dropout-7" -> {
        // is_test removed: from 7 a node with one output runs in inference mode, which is what is_test=1 asked
        if (Attrs.i(n, "is_test", 0) == 0) {
          return "is_test is 0 (training mode), which has no form from opset 7 on";
        }
        boolean extraRead = n.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty() && g.useCounts()
            .getOrDefault(o, 0) > 0);
        if (extraRead) {
          return "an output besides the first is read (running statistics or mask)";
        }
        cur[0] = Attrs.without(n, "is_test").toBuilder().clearOutput().addOutput(n.getOutput(0)).build();
        return null;
      }
      case "BatchNormalization-9" -> {
        // spatial removed: from 9 statistics are per channel, which is spatial=1 (the default)
        if (Attrs.i(n, "spatial", 1) != 1) {
          return "spatial=0 (per-activation statistics) has no form from opset 9 on";
        }
        cur[0] = Attrs.without(n, "spatial");
        return null;
      }
      case "Reshape-5" -> {
        // the shape attribute became input 1 (same 0 and -1 rules)
        long[] shape = Attrs.intsOrNull(n, "shape");
        if (shape == null) {
          return "no shape attribute";
        }
        String name = s.int64s(n.getOutput(0) + "_shape", shape);
        cur[0] = Attrs.without(Attrs.without(n, "shape"), "consumed_inputs").toBuilder().addInput(name).build();
        return null;
      }
      case "Pad-2" -> {
        // Pad-1's paddings renamed pads, same layout [x1_begin, x2_begin, ..., x1_end, x2_end, ...]
        long[] p = Attrs.intsOrNull(n, "paddings");
        if (p == null) {
          return "no paddings attribute";
        }
        cur[0] = Attrs.without(n, "paddings").toBuilder().addAttribute(Attrs.ofInts("pads",
            Arrays.stream(p).boxed().toList())).build();
        return null;
      }
      case "Pad-11" -> {
        return padInputs(cur, a, s);
      }
      case "Clip-11" -> {
        return clipInputs(cur, a, s);
      }
      case "Slice-10" -> {
        // starts, ends, axes attributes became inputs 1-3 (steps, input 4, absent: 1)
        long[] starts = Attrs.intsOrNull(n, "starts");
        long[] ends = Attrs.intsOrNull(n, "ends");
        if (starts == null || ends == null) {
          return "starts or ends missing";
        }
        NodeProto.Builder b = n.toBuilder().clearAttribute().clearInput().addInput(n.getInput(0))
            .addInput(s.int64s(n.getOutput(0) + "_starts", starts))
            .addInput(s.int64s(n.getOutput(0) + "_ends", ends));
        long[] axes = Attrs.intsOrNull(n, "axes");
        if (axes != null) {
          b.addInput(s.int64s(n.getOutput(0) + "_axes", axes));
        }
        cur[0] = b.build();
        return null;
      }
      case "Split-2" -> {
        // Split-1 took the split either as attribute or as input 1; 2 keeps the attribute only
        if (Attrs.find(n, "axis") == null) {
          return "Split-1 without axis (no default in its schema)";
        }
        if (n.getInputCount() < 2 || n.getInput(1).isEmpty()) {
          return null;
        }
        HostTensor v = a.value(n.getInput(1));
        if (v == null || Attrs.find(n, "split") != null) {
          return "split given as a run-time input";
        }
        List<Long> split = Arrays.stream(Tensors.longs(v)).boxed().toList();
        cur[0] = n.toBuilder().clearInput().addInput(n.getInput(0)).addAttribute(Attrs.ofInts("split", split))
            .build();
        return null;
      }
      case "Upsample-7" -> {
        // height_scale/width_scale became scales; LegacyResize handles Upsample-7/9 only, so this is not rewritten
        return "Upsample-1's height_scale/width_scale have no rewrite here (LegacyResize starts at Upsample-7)";
      }
      default -> {
        return "this change is not known to the pass";
      }
    }
  }

  /** Pad-11: pads and value became inputs 1 and 2. */
  private static String padInputs(NodeProto[] cur, Analysis a, Staged s) {
    NodeProto n = cur[0];
    long[] pads = Attrs.intsOrNull(n, "pads");
    if (pads == null) {
      return "no pads attribute";
    }
    NodeProto.Builder b = Attrs.without(Attrs.without(n, "pads"), "value").toBuilder();
    b.addInput(s.int64s(n.getOutput(0) + "_pads", pads));
    float value = Attrs.f(n, "value", 0f);
    if (Attrs.s(n, "mode", "constant").equals("constant") && value != 0f) {
      String scalar = scalarLike(n.getInput(0), value, a, s, n.getOutput(0) + "_value");
      if (scalar == null) {
        return "element type of " + n.getInput(0) + " unknown or not FLOAT/DOUBLE (needed for the value input)";
      }
      b.addInput(scalar);
    }
    cur[0] = b.build();
    return null;
  }

  /** Clip-11: min and max became optional inputs 1 and 2; an absent one still means no bound. */
  private static String clipInputs(NodeProto[] cur, Analysis a, Staged s) {
    NodeProto n = cur[0];
    AttributeProto min = Attrs.find(n, "min");
    AttributeProto max = Attrs.find(n, "max");
    NodeProto.Builder b = Attrs.without(Attrs.without(n, "min"), "max").toBuilder();
    String[] names = new String[2];
    AttributeProto[] bounds = {min, max};
    for (int i = 0; i < 2; i++) {
      if (bounds[i] != null) {
        names[i] = scalarLike(n.getInput(0), bounds[i].getF(), a, s, n.getOutput(0) + (i == 0 ? "_min" : "_max"));
        if (names[i] == null) {
          return "element type of " + n.getInput(0) + " unknown or not FLOAT/DOUBLE (needed for the bound inputs)";
        }
      }
    }
    if (names[1] != null) {
      b.addInput(names[0] == null ? "" : names[0]).addInput(names[1]);
    } else if (names[0] != null) {
      b.addInput(names[0]);
    }
    cur[0] = b.build();
    return null;
  }

  /** A scalar initializer of {@code like}'s element type (FLOAT or DOUBLE), or null when that is unknown. */
  private static String scalarLike(String like, float v, Analysis a, Staged s, String base) {
    int type = a.shape(like).elemType();
    if (type != ElementType.FLOAT.wire() && type != ElementType.DOUBLE.wire()) {
      return null;
    }
    HostTensor h = Tensors.ofDoubles(ElementType.fromWire(type).orElseThrow(), new long[0], new double[] {v});
    return s.constant(base, Tensors.encode("", h).toBuilder());
  }

  /** {@code at} added when the node does not set it. */
  private static NodeProto explicit(NodeProto n, AttributeProto at) {
    return Attrs.find(n, at.getName()) != null ? n : n.toBuilder().addAttribute(at).build();
  }
}
