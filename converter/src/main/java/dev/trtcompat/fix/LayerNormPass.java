package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * LayerNormalization (opset 17) as ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div, Mul, Add over the axes from
 * {@code axis} to the last, for FLOAT inputs of known rank whose Mean and InvStdDev outputs nobody reads.
 */
final class LayerNormPass extends Decomposition {

  @Override
  String op() {
    return "LayerNormalization";
  }

  @Override
  public String reason() {
    return "LayerNormalization has an importer only from TensorRT 8.6; the reductions and arithmetic exist in all";
  }

  private static final List<String> EXTRA_OUTPUTS = List.of("Mean", "InvStdDev");

  /** The decomposition writes only Y: a Mean or InvStdDev output that is read (graph outputs count) keeps the node. */
  @Override
  String keptBecause(NodeProto n, FixGraph g) {
    Map<String, Integer> uses = g.useCounts();
    List<String> read = new ArrayList<>();
    for (int i = 1; i < n.getOutputCount() && i <= EXTRA_OUTPUTS.size(); i++) {
      String o = n.getOutput(i);
      if (!o.isEmpty() && uses.containsKey(o)) {
        read.add(EXTRA_OUTPUTS.get(i - 1) + " '" + o + "'");
      }
    }
    return read.isEmpty() ? null
        : "its output " + String.join(" and ", read) + " is read, and the decomposition computes only Y";
  }

  @Override
  List<NodeProto> expand(NodeProto n, FixGraph g) {
    TypeShape x = Analysis.of(g).shape(n.getInput(0));
    if (x.dims() == null || x.elemType() != ElementType.FLOAT.wire()) {
      return null;
    }
    int rank = x.rank();
    long axis = Attrs.i(n, "axis", -1);
    axis = axis < 0 ? axis + rank : axis;
    List<Long> axes = new ArrayList<>();
    for (long a = axis; a < rank; a++) {
      axes.add(a);
    }
    String p = n.getOutput(0);
    String base = n.getName();
    String eps = g.freshName(p + "_eps");
    g.initializers.put(eps, Tensors.encode(eps, Tensors.ofDoubles(ElementType.FLOAT, new long[0],
        new double[] {Attrs.f(n, "epsilon", 1e-5f)})));
    String axesName = null;
    if (g.opset() >= 18) {
      axesName = g.freshName(p + "_axes");
      g.initializers.put(axesName, Tensors.encode(axesName, Tensors.ofLongs(ElementType.INT64,
          new long[] {axes.size()}, axes.stream().mapToLong(Long::longValue).toArray())));
    }
    String mean = g.freshName(p + "_mean");
    String d = g.freshName(p + "_centered");
    String sq = g.freshName(p + "_sq");
    String var = g.freshName(p + "_var");
    String ve = g.freshName(p + "_var_eps");
    String sd = g.freshName(p + "_std");
    String norm = g.freshName(p + "_norm");
    boolean bias = n.getInputCount() > 2 && !n.getInput(2).isEmpty();
    String scaled = bias ? g.freshName(p + "_scaled") : p;
    List<NodeProto> out = new ArrayList<>();
    out.add(reduceMean(base + "_mean", n.getInput(0), mean, axes, axesName));
    out.add(node("Sub", base + "_sub", List.of(n.getInput(0), mean), List.of(d)));
    out.add(node("Mul", base + "_square", List.of(d, d), List.of(sq)));
    out.add(reduceMean(base + "_var", sq, var, axes, axesName));
    out.add(node("Add", base + "_add_eps", List.of(var, eps), List.of(ve)));
    out.add(node("Sqrt", base + "_sqrt", List.of(ve), List.of(sd)));
    out.add(node("Div", base + "_div", List.of(d, sd), List.of(norm)));
    out.add(node("Mul", base + "_scale", List.of(norm, n.getInput(1)), List.of(scaled)));
    if (bias) {
      out.add(node("Add", base + "_bias", List.of(scaled, n.getInput(2)), List.of(p)));
    }
    return out;
  }

  private static NodeProto reduceMean(String name, String in, String out, List<Long> axes, String axesInput) {
    if (axesInput != null) {
      return node("ReduceMean", name, List.of(in, axesInput), List.of(out)).toBuilder()
          .addAttribute(Attrs.ofInt("keepdims", 1)).build();
    }
    return node("ReduceMean", name, List.of(in), List.of(out)).toBuilder()
        .addAttribute(Attrs.ofInts("axes", axes)).addAttribute(Attrs.ofInt("keepdims", 1)).build();
  }
}
