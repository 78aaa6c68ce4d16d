package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.Arrays;
import java.util.Set;

/**
 * Where a Resize (opset 11+) reads each output position from, per axis, at static shapes: for nearest the input
 * index (coordinate mode, then nearest_mode, then clamped to the axis), for linear the source coordinate clamped to
 * {@code [0, in-1]}, for cubic the unclamped coordinate. Two Resize forms with the same sources compute the same
 * output, since every mode's weights are a function of those alone. The coordinates are computed in float32 with
 * the formulas of the ONNX Resize definition as ONNX Runtime evaluates them ({@code (x + 0.5f) / scale - 0.5f},
 * the scale being the given one, or {@code out / in} when sizes are given), so a tie that float rounding decides
 * is decided the same way here. Resize-10 and Upsample, which have no coordinate attributes, are computed by
 * {@link LegacyResize}.
 */
final class ResizeCoordinates {

  static final Set<String> COORDINATE_MODES =
      Set.of("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_half_pixel_for_nn");

  private final String mode;
  private final String description;
  private final long[] in;
  private final long[] out;
  /** Per axis, per output position: the index (nearest) or coordinate (linear, cubic), as float bits. */
  private final float[][] sources;

  ResizeCoordinates(String mode, String description, long[] in, long[] out, float[][] sources) {
    this.mode = mode;
    this.description = description;
    this.in = in;
    this.out = out;
    this.sources = sources;
  }

  /** The sources of {@code n}, or null when they cannot be decided statically ({@link #whyNot} says why). */
  static ResizeCoordinates of(NodeProto n, Analysis a) {
    return whyNot(n, a) == null ? compute(n, a) : null;
  }

  /** Why {@link #of} answers null; null when it does not. */
  static String whyNot(NodeProto n, Analysis a) {
    if (LegacyResize.is(n, a.opset())) {
      return LegacyResize.whyNot(n, a);
    }
    String mode = Attrs.s(n, "mode", "nearest");
    String ctm = Attrs.s(n, "coordinate_transformation_mode", "half_pixel");
    if (!Set.of("nearest", "linear", "cubic").contains(mode)) {
      return "mode '" + mode + "' is not one of nearest, linear, cubic";
    }
    if (!COORDINATE_MODES.contains(ctm)) {
      return "coordinate_transformation_mode '" + ctm + "' is not rewritten (it reads roi or post-dates opset 18)";
    }
    if (Attrs.find(n, "axes") != null) {
      return "the axes attribute is not rewritten";
    }
    TypeShape x = a.shape(n.getInput(0));
    TypeShape y = a.shape(n.getOutput(0));
    if (!x.isStatic() || !y.isStatic() || x.rank() != y.rank()) {
      return "input or output shape is not static (give --shapes)";
    }
    boolean sizes = n.getInputCount() > 3 && !n.getInput(3).isEmpty();
    if (!sizes && (n.getInputCount() < 3 || n.getInput(2).isEmpty() || a.value(n.getInput(2)) == null)) {
      return "the scales are computed at run time, so their values (which set the coordinate scale) are unknown";
    }
    if (!sizes && Tensors.doubles(a.value(n.getInput(2))).length != x.rank()) {
      return "scales do not have one value per axis";
    }
    if (Attrs.i(n, "antialias", 0) != 0 && !mode.equals("nearest")) {
      float[] s = scalesOf(n, a, x.dims(), y.dims());
      for (float v : s) {
        if (v < 1f) {
          return "antialias on a shrinking axis filters over several inputs, which is not rewritten";
        }
      }
    }
    if (sizes && !Attrs.s(n, "keep_aspect_ratio_policy", "stretch").equals("stretch")) {
      float[] s = scalesOf(n, a, x.dims(), y.dims());
      for (float v : s) {
        if (v != s[0]) {
          return "keep_aspect_ratio_policy with sizes in different ratios is not rewritten";
        }
      }
    }
    return null;
  }

  private static float[] scalesOf(NodeProto n, Analysis a, long[] in, long[] out) {
    float[] s = new float[in.length];
    boolean sizes = n.getInputCount() > 3 && !n.getInput(3).isEmpty();
    double[] given = sizes ? null : Tensors.doubles(a.value(n.getInput(2)));
    for (int i = 0; i < s.length; i++) {
      s[i] = sizes ? (float) out[i] / (float) in[i] : (float) given[i];
    }
    return s;
  }

  private static ResizeCoordinates compute(NodeProto n, Analysis a) {
    if (LegacyResize.is(n, a.opset())) {
      return LegacyResize.compute(n, a);
    }
    String mode = Attrs.s(n, "mode", "nearest");
    String ctm = Attrs.s(n, "coordinate_transformation_mode", "half_pixel");
    String nearest = Attrs.s(n, "nearest_mode", "round_prefer_floor");
    long[] in = a.shape(n.getInput(0)).dims();
    long[] out = a.shape(n.getOutput(0)).dims();
    float[] scales = scalesOf(n, a, in, out);
    float[][] sources = new float[in.length][];
    for (int axis = 0; axis < in.length; axis++) {
      if (out[axis] > 1 << 20) {
        return null; // not worth deciding; such an axis is no model's
      }
      sources[axis] = new float[(int) out[axis]];
      for (int k = 0; k < out[axis]; k++) {
        float c = original(ctm, k, scales[axis], in[axis], out[axis]);
        sources[axis][k] = switch (mode) {
          case "nearest" -> Math.max(0, Math.min(in[axis] - 1, round(nearest, c)));
          case "linear" -> Math.max(0f, Math.min(c, (float) (in[axis] - 1)));
          default -> c;
        };
      }
    }
    String description = mode + ", " + ctm + (mode.equals("nearest") ? ", " + nearest : "") + ", "
        + Arrays.toString(in) + " -> " + Arrays.toString(out);
    return new ResizeCoordinates(mode, description, in, out, sources);
  }

  /** The ONNX coordinate transformation in float32, operation by operation as ONNX Runtime computes it. */
  static float original(String ctm, long x, float scale, long inLength, long outLength) {
    float xr = x;
    return switch (ctm) {
      case "half_pixel" -> (xr + 0.5f) / scale - 0.5f;
      case "pytorch_half_pixel" -> outLength > 1 ? (xr + 0.5f) / scale - 0.5f : 0f;
      case "tf_half_pixel_for_nn" -> (xr + 0.5f) / scale;
      case "align_corners" -> outLength == 1 ? 0f : xr * (float) (inLength - 1) / (float) (outLength - 1);
      case "asymmetric" -> xr / scale;
      default -> throw new IllegalArgumentException(ctm);
    };
  }

  /** nearest_mode on a float coordinate; ties are exact float halves, as in ONNX Runtime. */
  static long round(String nearestMode, float c) {
    double v = c;
    return switch (nearestMode) {
      case "floor" -> (long) Math.floor(v);
      case "ceil" -> (long) Math.ceil(v);
      case "round_prefer_ceil" -> Math.floor(v) + 0.5 == v ? (long) Math.ceil(v) : Math.round(v);
      default -> Math.floor(v) + 0.5 == v ? (long) Math.floor(v) : Math.round(v);
    };
  }

  /** Per output position of {@code axis}: the input index (nearest) or coordinate (linear, cubic) it reads. */
  float[] sourcesOf(int axis) {
    return sources[axis].clone();
  }

  String mode() {
    return mode;
  }

  String describe() {
    return description;
  }

  /** Every output position reads the input at its own index: the Resize copies its input. */
  boolean isIdentity() {
    for (int axis = 0; axis < in.length; axis++) {
      if (in[axis] != out[axis]) {
        return false;
      }
      for (int k = 0; k < sources[axis].length; k++) {
        if (sources[axis][k] != k) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Same output for every input: same sources under the same mode; or, across modes, every source of both an
   * input index (linear and cubic at a whole in-range coordinate weigh that one input by exactly 1, as nearest
   * does).
   */
  boolean sameSourcesAs(ResizeCoordinates o) {
    if (!Arrays.equals(in, o.in) || !Arrays.equals(out, o.out) || !Arrays.deepEquals(sources, o.sources)) {
      return false;
    }
    return mode.equals(o.mode) || samplesInputs() && o.samplesInputs();
  }

  private boolean samplesInputs() {
    for (int axis = 0; axis < in.length; axis++) {
      for (float c : sources[axis]) {
        if (c != Math.rint(c) || c < 0 || c > in[axis] - 1) {
          return false;
        }
      }
    }
    return true;
  }
}
