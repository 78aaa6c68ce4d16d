package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * GroupNormalization (opset 18; 21) as Reshape to {@code [N, G, -1]}, the normalisation over the last axis
 * (ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div), Reshape back to the input's shape, then a per-channel Mul and
 * Add. For FLOAT inputs with a known channel count and scale/bias initializers: opset 18's per-group scale and bias
 * are spread to the channels of each group here, opset 21's per-channel ones are reshaped to {@code [C, 1, ...]}.
 */
final class GroupNormPass extends Decomposition {

  @Override
  String op() {
    return "GroupNormalization";
  }

  @Override
  public String reason() {
    return "GroupNormalization has an importer only from TensorRT 8.6; reshapes, reductions and arithmetic exist in all";
  }

  @Override
  List<NodeProto> expand(NodeProto n, FixGraph g) {
    if (n.getInputCount() < 3 || n.getOutputCount() != 1) {
      return null;
    }
    TypeShape x = Analysis.of(g).shape(n.getInput(0));
    long groups = Attrs.i(n, "num_groups", 0);
    if (x.dims() == null || x.elemType() != ElementType.FLOAT.wire() || x.rank() < 2 || groups < 1) {
      return null;
    }
    long channels = x.dims()[1];
    if (channels < 1 || channels % groups != 0) {
      return null;
    }
    long perScale = g.opset() >= 21 ? channels : groups;
    double[] scale = perChannel(g, n.getInput(1), perScale, channels, groups);
    double[] bias = perChannel(g, n.getInput(2), perScale, channels, groups);
    if (scale == null || bias == null) {
      return null;
    }
    long[] channelShape = new long[x.rank() - 1];
    Arrays.fill(channelShape, 1);
    channelShape[0] = channels;
    String p = n.getOutput(0);
    String base = n.getName();
    String scaleName = constant(g, p + "_scale", Tensors.ofDoubles(ElementType.FLOAT, channelShape, scale));
    String biasName = constant(g, p + "_bias", Tensors.ofDoubles(ElementType.FLOAT, channelShape, bias));
    String groupedShape = constant(g, p + "_grouped_shape",
        Tensors.ofLongs(ElementType.INT64, new long[] {3}, new long[] {0, groups, -1}));
    String eps = constant(g, p + "_eps", Tensors.ofDoubles(ElementType.FLOAT, new long[0],
        new double[] {Attrs.f(n, "epsilon", 1e-5f)}));
    String axesName = g.opset() >= 18
        ? constant(g, p + "_axes", Tensors.ofLongs(ElementType.INT64, new long[] {1}, new long[] {2})) : null;
    String grouped = g.freshName(p + "_grouped");
    String mean = g.freshName(p + "_mean");
    String d = g.freshName(p + "_centered");
    String sq = g.freshName(p + "_sq");
    String var = g.freshName(p + "_var");
    String ve = g.freshName(p + "_var_eps");
    String sd = g.freshName(p + "_std");
    String norm = g.freshName(p + "_norm");
    String shape = g.freshName(p + "_shape");
    String restored = g.freshName(p + "_restored");
    String scaled = g.freshName(p + "_scaled");
    List<NodeProto> out = new ArrayList<>();
    out.add(node("Reshape", base + "_group", List.of(n.getInput(0), groupedShape), List.of(grouped)));
    out.add(reduceMean(base + "_mean", grouped, mean, axesName));
    out.add(node("Sub", base + "_sub", List.of(grouped, mean), List.of(d)));
    out.add(node("Mul", base + "_square", List.of(d, d), List.of(sq)));
    out.add(reduceMean(base + "_var", sq, var, axesName));
    out.add(node("Add", base + "_add_eps", List.of(var, eps), List.of(ve)));
    out.add(node("Sqrt", base + "_sqrt", List.of(ve), List.of(sd)));
    out.add(node("Div", base + "_div", List.of(d, sd), List.of(norm)));
    out.add(node("Shape", base + "_input_shape", List.of(n.getInput(0)), List.of(shape)));
    out.add(node("Reshape", base + "_ungroup", List.of(norm, shape), List.of(restored)));
    out.add(node("Mul", base + "_scale", List.of(restored, scaleName), List.of(scaled)));
    out.add(node("Add", base + "_bias", List.of(scaled, biasName), List.of(p)));
    return out;
  }

  /** Scale or bias per channel, from an initializer of {@code expected} values; null when it is not one. */
  private static double[] perChannel(FixGraph g, String name, long expected, long channels, long groups) {
    TensorProto t = g.initializers.get(name);
    if (t == null || t.getDataType() != ElementType.FLOAT.wire()) {
      return null;
    }
    Optional<HostTensor> h = Tensors.decode(t);
    if (h.isEmpty()) {
      return null;
    }
    double[] v = Tensors.doubles(h.get());
    if (v.length != expected) {
      return null;
    }
    if (expected == channels) {
      return v;
    }
    double[] out = new double[(int) channels];
    long perGroup = channels / groups;
    for (int c = 0; c < channels; c++) {
      out[c] = v[(int) (c / perGroup)];
    }
    return out;
  }

  private static String constant(FixGraph g, String base, HostTensor value) {
    String name = g.freshName(base);
    g.initializers.put(name, Tensors.encode(name, value));
    return name;
  }

  private static NodeProto reduceMean(String name, String in, String out, String axesInput) {
    if (axesInput != null) {
      return node("ReduceMean", name, List.of(in, axesInput), List.of(out)).toBuilder()
          .addAttribute(Attrs.ofInt("keepdims", 1)).build();
    }
    return node("ReduceMean", name, List.of(in), List.of(out)).toBuilder()
        .addAttribute(Attrs.ofInts("axes", List.of(2L))).addAttribute(Attrs.ofInt("keepdims", 1)).build();
  }
}
