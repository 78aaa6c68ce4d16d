package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.reference.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Resize (opset 11+) with its {@code scales} given as {@code sizes}, or its {@code sizes} as {@code scales}, at
 * static shapes, only where ONNX Runtime computes the same output length and the same coordinate scale from both:
 * with {@code sizes} the scale is {@code (float) out / in}, with {@code scales} the length is
 * {@code (long) (in * scale)} in float32. TensorRT 7.1/7.2 accept different coordinate modes per form
 * (docs/fix.md "Resize"), so one form can be rejected where the other is accepted.
 */
final class ResizeForms {

  /**
   * The node in the other form and the initializers it reads; {@code whyNot} non-null when it would compute
   * something else (the node is still given, so that a caller can tell whether the refusal cost a release).
   */
  record Swap(NodeProto node, Map<String, HostTensor> initializers, String whyNot) {}

  private ResizeForms() {
  }

  /** {@code n}'s other form; {@code n} must be one {@link ResizeCoordinates#of} answers for. */
  static Swap other(NodeProto n, FixGraph g, Analysis a) {
    long[] in = a.shape(n.getInput(0)).dims();
    long[] out = a.shape(n.getOutput(0)).dims();
    return hasSizes(n) ? toScales(n, g, in, out) : toSizes(n, g, a, in, out);
  }

  static boolean hasSizes(NodeProto n) {
    return n.getInputCount() > 3 && !n.getInput(3).isEmpty();
  }

  private static Swap toSizes(NodeProto n, FixGraph g, Analysis a, long[] in, long[] out) {
    double[] given = Tensors.doubles(a.value(n.getInput(2)));
    String why = null;
    for (int i = 0; i < in.length && why == null; i++) {
      float scale = (float) given[i];
      long length = (long) (in[i] * scale); // float32 product, truncated, as ONNX Runtime sizes the output
      if (length != out[i] || (float) out[i] / (float) in[i] != scale) {
        why = "scale " + scale + " on an axis of " + in[i] + " gives " + length + " outputs, and " + out[i] + "/"
            + in[i] + " is not that scale in float32, so sizes would move the coordinates";
      }
    }
    Map<String, HostTensor> inits = new LinkedHashMap<>();
    String sizes = g.freshName(n.getOutput(0) + "_sizes");
    inits.put(sizes, HostTensor.ofLongs(sizes, new long[] {out.length}, out));
    // opset 11 and 12 require the scales input: an empty tensor there stands for "not given"
    String noScales = "";
    if (g.opset() < 13) {
      noScales = g.freshName(n.getOutput(0) + "_no_scales");
      inits.put(noScales, HostTensor.ofFloats(noScales, new long[] {0}));
    }
    NodeProto.Builder b = n.toBuilder().setInput(2, noScales);
    if (n.getInputCount() > 3) {
      b.setInput(3, sizes);
    } else {
      b.addInput(sizes);
    }
    return new Swap(b.build(), inits, why);
  }

  private static Swap toScales(NodeProto n, FixGraph g, long[] in, long[] out) {
    float[] scales = new float[in.length];
    String why = null;
    for (int i = 0; i < in.length; i++) {
      scales[i] = (float) out[i] / (float) in[i];
      if (why == null && !LegacyResize.agree(in[i], scales[i], out[i])) {
        long single = (long) ((float) in[i] * scales[i]);
        long dbl = (long) Math.floor((double) in[i] * scales[i]);
        why = "scale " + out[i] + "/" + in[i] + " = " + scales[i] + " gives " + single + " outputs in float32 and "
            + dbl + " in float64 (see \"Inexact scales\" in docs/fix.md)";
      }
    }
    String name = g.freshName(n.getOutput(0) + "_scales");
    NodeProto.Builder b = n.toBuilder().clearInput();
    b.addInput(n.getInput(0)).addInput(n.getInput(1)).addInput(name);
    return new Swap(b.build(), Map.of(name, HostTensor.ofFloats(name, new long[] {in.length}, scales)), why);
  }
}
