package dev.trtcompat.cost;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.shapes.Broadcasting;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forward shape propagation over the main graph, enough to size the counted ops: shapes come from the graph's
 * inputs, value_info, initializers and Constant nodes, and are carried through the ops that sit between matrix
 * products in common CNNs and transformers. An op it does not know leaves its outputs unknown unless value_info
 * names them. Dims are concrete here: dynamic input dims were fixed before propagation starts.
 */
final class ShapePropagation {

  /** Ops whose single output has the first input's shape. */
  private static final Set<String> SAME_SHAPE = Set.of("Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Erf",
      "Gelu", "Sqrt", "Exp", "Log", "Neg", "Abs", "Reciprocal", "Cast", "Clip", "HardSigmoid", "HardSwish", "Softmax",
      "LogSoftmax", "LayerNormalization", "BatchNormalization", "InstanceNormalization", "GroupNormalization",
      "Dropout", "Identity", "QuantizeLinear", "DequantizeLinear", "Mish", "Elu", "Selu", "Softplus", "Sin", "Cos",
      "Floor", "Ceil", "Round", "Not", "Sign", "Relu6", "CumSum", "LRN");

  /** Element-wise ops with numpy broadcasting over all inputs. */
  private static final Set<String> BROADCAST = Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum",
      "Mean", "Where", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Mod");

  final Map<String, long[]> shapes = new HashMap<>();
  /** Small integer constants (Reshape targets, axes) by tensor name. */
  final Map<String, long[]> integers = new HashMap<>();

  long[] shape(String name) {
    return name.isEmpty() ? null : shapes.get(name);
  }

  /** Sets the outputs' shapes from the node's inputs, when the op is known and its inputs' shapes are. */
  void infer(NodeProto n) {
    String op = n.getOpType();
    if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
      return;
    }
    if (n.getOutputCount() == 0) {
      return;
    }
    String out = n.getOutput(0);
    if (op.equals("Constant")) {
      constant(n, out);
      return;
    }
    long[] a = n.getInputCount() > 0 ? shape(n.getInput(0)) : null;
    long[] result = switch (op) {
      case "Conv" -> a == null ? null : conv(n, a, shape(n.getInput(1)));
      case "ConvTranspose" -> a == null ? null : convTranspose(n, a, shape(n.getInput(1)));
      case "MaxPool", "AveragePool", "LpPool" -> a == null ? null : pool(n, a);
      case "GlobalAveragePool", "GlobalMaxPool" -> a == null ? null : global(a);
      case "Gemm" -> a == null || n.getInputCount() < 2 ? null : gemm(n, a, shape(n.getInput(1)));
      case "MatMul" -> a == null || n.getInputCount() < 2 ? null : matMul(a, shape(n.getInput(1)));
      case "Flatten" -> a == null ? null : flatten(a, (int) attrInt(n, "axis", 1));
      case "Reshape" -> a == null || n.getInputCount() < 2 ? null : reshape(a, integers.get(n.getInput(1)),
          attrInt(n, "allowzero", 0) == 1);
      case "Transpose" -> a == null ? null : transpose(a, attrInts(n, "perm"));
      case "Concat" -> concat(n);
      case "Unsqueeze" -> a == null ? null : unsqueeze(a, axes(n));
      case "Squeeze" -> a == null ? null : squeeze(a, axes(n));
      case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2" ->
          a == null ? null : reduce(a, axes(n), attrInt(n, "keepdims", 1) == 1);
      case "Shape" -> a == null ? null : new long[] {a.length};
      default -> {
        if (SAME_SHAPE.contains(op)) {
          yield a;
        }
        if (BROADCAST.contains(op)) {
          yield broadcastAll(n);
        }
        yield null;
      }
    };
    if (op.equals("Shape") && a != null) {
      integers.put(out, a.clone());
    }
    if (result != null) {
      shapes.putIfAbsent(out, result);
    }
  }

  private void constant(NodeProto n, String out) {
    for (AttributeProto at : n.getAttributeList()) {
      if (at.getName().equals("value") && at.hasT()) {
        TensorProto t = at.getT();
        shapes.put(out, t.getDimsList().stream().mapToLong(Long::longValue).toArray());
        long[] v = integerValues(t);
        if (v != null) {
          integers.put(out, v);
        }
      } else if (at.getName().equals("value_ints")) {
        shapes.put(out, new long[] {at.getIntsCount()});
        integers.put(out, at.getIntsList().stream().mapToLong(Long::longValue).toArray());
      } else if (at.getName().equals("value_int")) {
        shapes.put(out, new long[0]);
        integers.put(out, new long[] {at.getI()});
      }
    }
  }

  /** Integer values of a Constant's tensor (raw little-endian int64/int32 or the typed fields). */
  static long[] integerValues(TensorProto t) {
    if (t.getDataType() == ElementType.INT64.wire()) {
      if (!t.getRawData().isEmpty()) {
        return littleEndian(t.getRawData().toByteArray(), 8);
      }
      return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }
    if (t.getDataType() == ElementType.INT32.wire()) {
      if (!t.getRawData().isEmpty()) {
        return littleEndian(t.getRawData().toByteArray(), 4);
      }
      return t.getInt32DataList().stream().mapToLong(Integer::longValue).toArray();
    }
    return null;
  }

  static long[] littleEndian(byte[] raw, int width) {
    if (raw == null || raw.length % width != 0 || raw.length / width > 4096) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    long[] v = new long[raw.length / width];
    for (int i = 0; i < v.length; i++) {
      v[i] = width == 8 ? b.getLong() : b.getInt();
    }
    return v;
  }

  private static long[] conv(NodeProto n, long[] x, long[] w) {
    if (w == null || x.length < 3 || w.length != x.length) {
      return null;
    }
    int spatial = x.length - 2;
    long[] out = new long[x.length];
    out[0] = x[0];
    out[1] = w[0];
    long[] kernel = Arrays.copyOfRange(w, 2, w.length);
    long[] strides = ints(n, "strides", spatial, 1);
    long[] dilations = ints(n, "dilations", spatial, 1);
    long[] pads = ints(n, "pads", spatial * 2, 0);
    String autoPad = attrString(n, "auto_pad", "NOTSET");
    for (int i = 0; i < spatial; i++) {
      long in = x[i + 2];
      long k = dilations[i] * (kernel[i] - 1) + 1;
      out[i + 2] = switch (autoPad) {
        case "SAME_UPPER", "SAME_LOWER" -> ceilDiv(in, strides[i]);
        case "VALID" -> (in - k) / strides[i] + 1;
        default -> (in + pads[i] + pads[i + spatial] - k) / strides[i] + 1;
      };
    }
    return out;
  }

  private static long[] convTranspose(NodeProto n, long[] x, long[] w) {
    if (w == null || x.length < 3 || w.length != x.length) {
      return null;
    }
    int spatial = x.length - 2;
    long group = attrInt(n, "group", 1);
    long[] out = new long[x.length];
    out[0] = x[0];
    out[1] = w[1] * group;
    long[] outputShape = attrInts(n, "output_shape");
    long[] strides = ints(n, "strides", spatial, 1);
    long[] dilations = ints(n, "dilations", spatial, 1);
    long[] pads = ints(n, "pads", spatial * 2, 0);
    long[] outputPadding = ints(n, "output_padding", spatial, 0);
    for (int i = 0; i < spatial; i++) {
      if (outputShape != null && outputShape.length >= spatial) {
        out[i + 2] = outputShape[outputShape.length - spatial + i];
      } else {
        out[i + 2] = strides[i] * (x[i + 2] - 1) + outputPadding[i] + (w[i + 2] - 1) * dilations[i] + 1
            - pads[i] - pads[i + spatial];
      }
    }
    return out;
  }

  private static long[] pool(NodeProto n, long[] x) {
    long[] kernel = attrInts(n, "kernel_shape");
    if (kernel == null || x.length != kernel.length + 2) {
      return null;
    }
    int spatial = kernel.length;
    long[] strides = ints(n, "strides", spatial, 1);
    long[] dilations = ints(n, "dilations", spatial, 1);
    long[] pads = ints(n, "pads", spatial * 2, 0);
    boolean ceil = attrInt(n, "ceil_mode", 0) == 1;
    String autoPad = attrString(n, "auto_pad", "NOTSET");
    long[] out = x.clone();
    for (int i = 0; i < spatial; i++) {
      long in = x[i + 2];
      long k = dilations[i] * (kernel[i] - 1) + 1;
      long span = switch (autoPad) {
        case "SAME_UPPER", "SAME_LOWER" -> -1;
        case "VALID" -> in - k;
        default -> in + pads[i] + pads[i + spatial] - k;
      };
      out[i + 2] = span < 0 ? ceilDiv(in, strides[i]) : (ceil ? ceilDiv(span, strides[i]) : span / strides[i]) + 1;
    }
    return out;
  }

  private static long[] global(long[] x) {
    long[] out = x.clone();
    for (int i = 2; i < out.length; i++) {
      out[i] = 1;
    }
    return out;
  }

  private static long[] gemm(NodeProto n, long[] a, long[] b) {
    if (b == null || a.length != 2 || b.length != 2) {
      return null;
    }
    long m = attrInt(n, "transA", 0) == 1 ? a[1] : a[0];
    long cols = attrInt(n, "transB", 0) == 1 ? b[0] : b[1];
    return new long[] {m, cols};
  }

  /** numpy.matmul's shape: 1-D operands are promoted and the added dim removed; batch dims broadcast. */
  static long[] matMul(long[] a, long[] b) {
    if (b == null || a.length == 0 || b.length == 0) {
      return null;
    }
    long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
    long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
    long[] batch = broadcast(Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
    if (batch == null) {
      return null;
    }
    List<Long> out = new ArrayList<>();
    for (long d : batch) {
      out.add(d);
    }
    if (a.length > 1) {
      out.add(a2[a2.length - 2]);
    }
    if (b.length > 1) {
      out.add(b2[b2.length - 1]);
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] flatten(long[] x, int axis) {
    int ax = axis < 0 ? axis + x.length : axis;
    if (ax < 0 || ax > x.length) {
      return null;
    }
    long first = 1;
    long second = 1;
    for (int i = 0; i < x.length; i++) {
      if (i < ax) {
        first *= x[i];
      } else {
        second *= x[i];
      }
    }
    return new long[] {first, second};
  }

  private static long[] reshape(long[] x, long[] target, boolean allowZero) {
    if (target == null) {
      return null;
    }
    long[] out = target.clone();
    long total = product(x);
    long known = 1;
    int inferred = -1;
    for (int i = 0; i < out.length; i++) {
      if (out[i] == 0 && !allowZero) {
        if (i >= x.length) {
          return null;
        }
        out[i] = x[i];
      }
      if (out[i] == -1) {
        if (inferred >= 0) {
          return null;
        }
        inferred = i;
      } else {
        known *= out[i];
      }
    }
    if (inferred >= 0) {
      if (known == 0 || total % known != 0) {
        return null;
      }
      out[inferred] = total / known;
    }
    return product(out) == total ? out : null;
  }

  private static long[] transpose(long[] x, long[] perm) {
    long[] out = new long[x.length];
    for (int i = 0; i < x.length; i++) {
      int from = perm == null ? x.length - 1 - i : (int) perm[i];
      if (from < 0 || from >= x.length) {
        return null;
      }
      out[i] = x[from];
    }
    return out;
  }

  private long[] concat(NodeProto n) {
    long[] first = shape(n.getInput(0));
    if (first == null) {
      return null;
    }
    int axis = (int) attrInt(n, "axis", 0);
    int ax = axis < 0 ? axis + first.length : axis;
    if (ax < 0 || ax >= first.length) {
      return null;
    }
    long[] out = first.clone();
    for (int i = 1; i < n.getInputCount(); i++) {
      long[] s = shape(n.getInput(i));
      if (s == null || s.length != first.length) {
        return null;
      }
      out[ax] += s[ax];
    }
    return out;
  }

  /** Axes from the attribute (older opsets) or the second input (opset 13+); null when unknown. */
  private long[] axes(NodeProto n) {
    long[] a = attrInts(n, "axes");
    if (a != null) {
      return a;
    }
    return n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? integers.get(n.getInput(1)) : null;
  }

  private static long[] unsqueeze(long[] x, long[] axes) {
    if (axes == null) {
      return null;
    }
    int rank = x.length + axes.length;
    boolean[] added = new boolean[rank];
    for (long a : axes) {
      int ax = (int) (a < 0 ? a + rank : a);
      if (ax < 0 || ax >= rank) {
        return null;
      }
      added[ax] = true;
    }
    long[] out = new long[rank];
    int j = 0;
    for (int i = 0; i < rank; i++) {
      out[i] = added[i] ? 1 : x[j++];
    }
    return j == x.length ? out : null;
  }

  private static long[] squeeze(long[] x, long[] axes) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      boolean drop = axes == null ? x[i] == 1 : contains(axes, i, x.length);
      if (!drop) {
        out.add(x[i]);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] reduce(long[] x, long[] axes, boolean keep) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      boolean reduced = axes == null || axes.length == 0 || contains(axes, i, x.length);
      if (!reduced) {
        out.add(x[i]);
      } else if (keep) {
        out.add(1L);
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private long[] broadcastAll(NodeProto n) {
    long[] out = new long[0];
    for (String in : n.getInputList()) {
      long[] s = shape(in);
      if (s == null) {
        return null;
      }
      out = broadcast(out, s);
      if (out == null) {
        return null;
      }
    }
    return out;
  }

  static long[] broadcast(long[] a, long[] b) {
    return Broadcasting.shape(a, b);
  }

  private static boolean contains(long[] axes, int i, int rank) {
    for (long a : axes) {
      if ((a < 0 ? a + rank : a) == i) {
        return true;
      }
    }
    return false;
  }

  static long product(long[] dims) {
    long p = 1;
    for (long d : dims) {
      p = Math.multiplyExact(p, d);
    }
    return p;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  static long attrInt(NodeProto n, String name, long fallback) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return fallback;
  }

  private static String attrString(NodeProto n, String name, String fallback) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getS().toStringUtf8();
      }
    }
    return fallback;
  }

  static long[] attrInts(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
      }
    }
    return null;
  }

  private static long[] ints(NodeProto n, String name, int size, long fallback) {
    long[] v = attrInts(n, name);
    if (v != null && v.length == size) {
      return v;
    }
    long[] d = new long[size];
    Arrays.fill(d, fallback);
    return d;
  }
}
