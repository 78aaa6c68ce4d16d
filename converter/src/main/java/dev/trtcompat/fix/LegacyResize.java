package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.Arrays;
import java.util.Set;

/**
 * The sources of a Resize-10 or an Upsample-7/9, which carry no coordinate attributes. ONNX defines only their
 * output length, {@code floor(input_dimension * scale)} (operator docs, Resize-10, Upsample-7, Upsample-9: inputs
 * X and scales from 9 on, the {@code scales} attribute in 7; modes nearest and linear); onnx's own version converter
 * reads them as {@code asymmetric} with {@code floor} rounding when it moves Resize-10 to 11
 * ({@code version_converter/adapters/resize_10_11.h}), which is also what TensorRT's importer applies below opset 11.
 * ONNX Runtime, the proof's judge, computes the coordinate as {@code x / scale} in float32 with the given scale,
 * then (nearest) truncates when the axis grows or stays and rounds up when it shrinks (its pre-11 "simple" nearest
 * mode), clamping to the axis; the output length is the float32 product truncated. Both are followed here, so a
 * scale whose float32 product lands on the other side of a whole number than the model's declared length is left
 * alone with a note rather than guessed.
 */
final class LegacyResize {

  private LegacyResize() {}

  /** A Resize below opset 11, or any Upsample. */
  static boolean is(NodeProto n, long opset) {
    return n.getOpType().equals("Upsample") || n.getOpType().equals("Resize") && opset < 11;
  }

  static String whyNot(NodeProto n, Analysis a) {
    String mode = Attrs.s(n, "mode", "nearest");
    if (!Set.of("nearest", "linear").contains(mode)) {
      return "mode '" + mode + "' is not one of nearest, linear";
    }
    TypeShape x = a.shape(n.getInput(0));
    TypeShape y = a.shape(n.getOutput(0));
    if (!x.isStatic() || !y.isStatic() || x.rank() != y.rank()) {
      return "input or output shape is not static (give --shapes)";
    }
    float[] s = scales(n, a);
    if (s == null) {
      return "the scales are computed at run time, so their values (which set the coordinate scale) are unknown";
    }
    if (s.length != x.rank()) {
      return "scales do not have one value per axis";
    }
    for (int i = 0; i < s.length; i++) {
      long length = (long) ((float) x.dims()[i] * s[i]);
      if (!(s[i] > 0) || length != y.dims()[i]) {
        return "scale " + s[i] + " on an axis of " + x.dims()[i] + " gives " + length
            + " outputs in float32 (ONNX Runtime), the model declares " + y.dims()[i];
      }
    }
    return null;
  }

  static ResizeCoordinates compute(NodeProto n, Analysis a) {
    String mode = Attrs.s(n, "mode", "nearest");
    long[] in = a.shape(n.getInput(0)).dims();
    long[] out = a.shape(n.getOutput(0)).dims();
    float[] scales = scales(n, a);
    float[][] sources = new float[in.length][];
    for (int axis = 0; axis < in.length; axis++) {
      if (out[axis] > 1 << 20) {
        return null; // not worth deciding; such an axis is no model's
      }
      sources[axis] = axisSources(mode, in[axis], out[axis], scales[axis]);
    }
    String description = mode + ", " + n.getOpType() + " below opset 11 (asymmetric"
        + (mode.equals("nearest") ? ", floor up, ceil down" : "") + "), " + Arrays.toString(in) + " -> "
        + Arrays.toString(out);
    return new ResizeCoordinates(mode, description, in, out, sources);
  }

  private static float[] axisSources(String mode, long in, long out, float scale) {
    float[] sources = new float[(int) out];
    for (int k = 0; k < out; k++) {
      float c = ResizeCoordinates.original("asymmetric", k, scale, in, out);
      sources[k] = mode.equals("nearest")
          ? Math.max(0, Math.min(in - 1, scale < 1f ? (long) Math.ceil(c) : (long) c))
          : Math.max(0f, Math.min(c, (float) (in - 1)));
    }
    return sources;
  }

  /**
   * Inexact scales made unambiguous: where {@code floor(in * scale)} is the declared length in float32 (ONNX
   * Runtime) but one less in float64 (numpy multiplying a float32 scale by an int64 shape), as PyTorch's opset-9 export
   * writes for a size of 7 on an axis of 3 (scale {@code 7/3} rounded to 2.3333333f), the scale moved up to the next
   * float32 values until both products give the declared length. Only for nearest, and only where every output
   * position then reads the same input; null when no axis is ambiguous or no such value exists.
   */
  static float[] unambiguousScales(NodeProto n, Analysis a) {
    if (whyNot(n, a) != null || !Attrs.s(n, "mode", "nearest").equals("nearest")) {
      return null;
    }
    long[] in = a.shape(n.getInput(0)).dims();
    long[] out = a.shape(n.getOutput(0)).dims();
    float[] s = scales(n, a);
    float[] t = s.clone();
    boolean ambiguous = false;
    for (int axis = 0; axis < s.length; axis++) {
      if ((long) Math.floor((double) in[axis] * s[axis]) == out[axis]) {
        continue;
      }
      ambiguous = true;
      float v = s[axis];
      for (int step = 0; step < 64 && !agree(in[axis], v, out[axis]); step++) {
        v = Math.nextUp(v);
      }
      if (!agree(in[axis], v, out[axis]) || out[axis] > 1 << 20 || !Arrays.equals(
          axisSources("nearest", in[axis], out[axis], v), axisSources("nearest", in[axis], out[axis], s[axis]))) {
        return null;
      }
      t[axis] = v;
    }
    return ambiguous ? t : null;
  }

  /**
   * Whether {@code in * scale} gives the length {@code out} both in float32 (ONNX Runtime) and in float64 (engines
   * that size outputs in double): "Inexact scales" in docs/fix.md.
   */
  static boolean agree(long in, float scale, long out) {
    return (long) ((float) in * scale) == out && (long) Math.floor((double) in * scale) == out;
  }

  /** Index of the scales input (Resize-10, Upsample-9), or -1 where they are an attribute (Upsample-7). */
  static int scalesInput(NodeProto n) {
    return Attrs.find(n, "scales") != null ? -1 : 1;
  }

  private static float[] scales(NodeProto n, Analysis a) {
    AttributeProto attr = Attrs.find(n, "scales");
    if (attr != null) {
      float[] s = new float[attr.getFloatsCount()];
      for (int i = 0; i < s.length; i++) {
        s[i] = attr.getFloats(i);
      }
      return s;
    }
    if (n.getInputCount() < 2 || n.getInput(1).isEmpty() || a.value(n.getInput(1)) == null) {
      return null;
    }
    double[] d = Tensors.doubles(a.value(n.getInput(1)));
    float[] s = new float[d.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) d[i];
    }
    return s;
  }
}
