package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Output types and shapes for the ops PyTorch exports use (convolution and pooling, Gemm/MatMul, elementwise
 * broadcast, Reshape, Transpose, Concat, Slice, Gather, Unsqueeze/Squeeze, Flatten, Resize, Pad, reductions,
 * Shape, Cast, ...). Returns null for ops it has no rule for; unknown dims stay -1.
 */
final class ShapeRules {

  private static final int INT64 = 7;
  private static final int BOOL = 9;

  private static final Set<String> SAME =
      Set.of("Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Log", "Sqrt", "Clip", "LeakyRelu", "Elu", "Selu",
          "Celu", "Softmax", "LogSoftmax", "Hardmax", "HardSigmoid", "HardSwish", "Erf", "Identity",
          "BatchNormalization", "Dropout", "Floor", "Ceil", "Round", "Reciprocal", "Sin", "Cos", "Softplus",
          "Softsign", "PRelu", "Gelu", "Mish", "InstanceNormalization", "LayerNormalization", "GroupNormalization",
          "LRN", "Sign", "CumSum", "Trilu", "ThresholdedRelu", "Shrink", "LpNormalization",
          "MeanVarianceNormalization");
  private static final Set<String> BROADCAST =
      Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Mod", "Equal", "Less", "Greater",
          "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor");
  private static final Set<String> BOOL_OUT =
      Set.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not", "IsNaN",
          "IsInf");

  private ShapeRules() {}

  static TypeShape[] infer(NodeProto n, List<TypeShape> in, Function<String, HostTensor> values, long opset) {
    String op = n.getOpType();
    TypeShape x = in.isEmpty() ? TypeShape.UNKNOWN : in.get(0);
    if (SAME.contains(op) || op.equals("Not")) {
      TypeShape y = op.equals("Not") ? x.withType(BOOL) : x;
      return op.equals("Dropout") ? new TypeShape[] {y, new TypeShape(BOOL, x.dims())} : one(y);
    }
    if (op.equals("Cast")) {
      return one(x.withType((int) Attrs.i(n, "to", 0)));
    }
    if (BROADCAST.contains(op)) {
      long[] dims = x.dims();
      for (TypeShape t : in.subList(1, in.size())) {
        dims = dims == null || t.dims() == null ? null : Broadcast.shape(dims, t.dims());
      }
      return one(new TypeShape(BOOL_OUT.contains(op) ? BOOL : x.elemType(), dims));
    }
    return switch (op) {
      case "Where" -> {
        long[] d = in.get(0).dims() == null || in.get(1).dims() == null || in.get(2).dims() == null ? null
            : Broadcast.shape(Broadcast.shape(in.get(0).dims(), in.get(1).dims()), in.get(2).dims());
        yield one(new TypeShape(in.get(1).elemType(), d));
      }
      case "Shape" -> one(new TypeShape(INT64, x.dims() == null ? new long[] {-1} : new long[] {shapeLen(n, x)}));
      case "Size" -> one(new TypeShape(INT64, new long[0]));
      case "Conv" -> conv(n, x, in.get(1), false);
      case "MaxPool", "AveragePool", "LpPool" -> {
        TypeShape[] y = conv(n, x, null, true);
        yield op.equals("MaxPool") && y != null ? new TypeShape[] {y[0], y[0].withType(INT64)} : y;
      }
      case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool" -> {
        if (x.dims() == null) {
          yield one(x);
        }
        long[] d = x.dims().clone();
        for (int i = 2; i < d.length; i++) {
          d[i] = 1;
        }
        yield one(new TypeShape(x.elemType(), d));
      }
      case "Gemm" -> {
        TypeShape b = in.get(1);
        if (x.rank() != 2 || b.rank() != 2) {
          yield null;
        }
        long m = Attrs.i(n, "transA", 0) == 1 ? x.dims()[1] : x.dims()[0];
        long nn = Attrs.i(n, "transB", 0) == 1 ? b.dims()[0] : b.dims()[1];
        yield one(new TypeShape(x.elemType(), new long[] {m, nn}));
      }
      case "MatMul" -> one(new TypeShape(x.elemType(), matmul(x.dims(), in.get(1).dims())));
      case "Reshape" -> {
        HostTensor s = values.apply(n.getInput(1));
        if (s == null) {
          yield one(new TypeShape(x.elemType(), in.get(1).isStatic() ? unknownDims(in.get(1).dims()[0]) : null));
        }
        long[] shape = Tensors.longs(s);
        boolean allowZero = Attrs.i(n, "allowzero", 0) == 1;
        long known = 1;
        int infer = -1;
        for (int i = 0; i < shape.length; i++) {
          if (shape[i] == 0 && !allowZero) {
            shape[i] = x.dims() != null && i < x.dims().length ? x.dims()[i] : -1;
          }
          if (shape[i] == -1 && infer < 0 && Tensors.longs(s)[i] == -1) {
            infer = i;
          } else if (shape[i] >= 0 && known >= 0) {
            known *= shape[i];
          } else {
            known = -1;
          }
        }
        if (infer >= 0) {
          shape[infer] = x.isStatic() && known > 0 ? HostTensor.elementCount(x.dims()) / known : -1;
        }
        yield one(new TypeShape(x.elemType(), shape));
      }
      case "Flatten" -> {
        if (x.dims() == null) {
          yield one(new TypeShape(x.elemType(), new long[] {-1, -1}));
        }
        int axis = ConstEval.norm((int) Attrs.i(n, "axis", 1), x.rank());
        yield one(new TypeShape(x.elemType(), new long[] {prod(x.dims(), 0, axis), prod(x.dims(), axis, x.rank())}));
      }
      case "Transpose" -> {
        if (x.dims() == null) {
          yield one(x);
        }
        long[] perm = Attrs.intsOrNull(n, "perm");
        long[] d = new long[x.rank()];
        for (int i = 0; i < d.length; i++) {
          d[i] = x.dims()[perm == null ? d.length - 1 - i : (int) perm[i]];
        }
        yield one(new TypeShape(x.elemType(), d));
      }
      case "Concat" -> {
        if (in.stream().anyMatch(t -> t.dims() == null)) {
          yield one(new TypeShape(x.elemType(), x.dims() == null ? null : unknownDims(x.rank())));
        }
        int axis = (int) Attrs.i(n, "axis", 0);
        axis = axis < 0 ? axis + x.rank() : axis;
        long[] d = x.dims().clone();
        long sum = 0;
        for (TypeShape t : in) {
          long v = t.dims()[axis];
          sum = sum < 0 || v < 0 ? -1 : sum + v;
        }
        d[axis] = sum;
        for (int i = 0; i < d.length; i++) {
          if (i != axis && d[i] < 0) {
            for (TypeShape t : in) {
              d[i] = Math.max(d[i], t.dims()[i]);
            }
          }
        }
        yield one(new TypeShape(x.elemType(), d));
      }
      case "Gather" -> {
        TypeShape idx = in.get(1);
        if (x.dims() == null || idx.dims() == null) {
          yield one(new TypeShape(x.elemType(), null));
        }
        int axis = (int) Attrs.i(n, "axis", 0);
        axis = axis < 0 ? axis + x.rank() : axis;
        List<Long> d = new ArrayList<>();
        for (int i = 0; i < axis; i++) {
          d.add(x.dims()[i]);
        }
        for (long v : idx.dims()) {
          d.add(v);
        }
        for (int i = axis + 1; i < x.rank(); i++) {
          d.add(x.dims()[i]);
        }
        yield one(new TypeShape(x.elemType(), d.stream().mapToLong(Long::longValue).toArray()));
      }
      case "Unsqueeze" -> {
        long[] axes = opset >= 13 ? longsOf(values, n, 1) : Attrs.intsOrNull(n, "axes");
        if (x.dims() == null || axes == null) {
          yield one(new TypeShape(x.elemType(), null));
        }
        int r = x.rank() + axes.length;
        List<Long> d = new ArrayList<>();
        for (long v : x.dims()) {
          d.add(v);
        }
        for (long a : Arrays.stream(axes).map(a -> a < 0 ? a + r : a).sorted().toArray()) {
          d.add((int) a, 1L);
        }
        yield one(new TypeShape(x.elemType(), d.stream().mapToLong(Long::longValue).toArray()));
      }
      case "Squeeze" -> {
        long[] axes = opset >= 13 ? (n.getInputCount() > 1 ? longsOf(values, n, 1) : null)
            : Attrs.intsOrNull(n, "axes");
        boolean axesMissing = opset >= 13 && n.getInputCount() > 1 && axes == null;
        if (x.dims() == null || axesMissing || (axes == null && !x.isStatic())) {
          yield one(new TypeShape(x.elemType(), null));
        }
        List<Long> d = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
          final int k = i;
          boolean drop = axes == null ? x.dims()[i] == 1
              : Arrays.stream(axes).anyMatch(a -> (a < 0 ? a + x.rank() : a) == k);
          if (!drop) {
            d.add(x.dims()[i]);
          }
        }
        yield one(new TypeShape(x.elemType(), d.stream().mapToLong(Long::longValue).toArray()));
      }
      case "Slice" -> slice(n, x, values, opset);
      case "Resize", "Upsample" -> resize(n, x, values, opset);
      case "Pad" -> {
        long[] pads = opset >= 11 ? longsOf(values, n, 1) : Attrs.intsOrNull(n, "pads");
        if (x.dims() == null || pads == null || pads.length != 2 * x.rank() || n.getInputCount() > 3) {
          yield one(new TypeShape(x.elemType(), x.dims() == null ? null : unknownDims(x.rank())));
        }
        long[] d = x.dims().clone();
        for (int i = 0; i < d.length; i++) {
          d[i] = d[i] < 0 ? -1 : d[i] + pads[i] + pads[i + d.length];
        }
        yield one(new TypeShape(x.elemType(), d));
      }
      case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceL1",
          "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin" -> reduce(n, x, values, opset);
      case "ConstantOfShape" -> {
        HostTensor s = values.apply(n.getInput(0));
        TensorProto v = Attrs.tensor(n, "value");
        int type = v == null ? 1 : v.getDataType();
        yield one(new TypeShape(type, s == null ? null : Tensors.longs(s)));
      }
      case "Expand" -> {
        HostTensor s = values.apply(n.getInput(1));
        yield one(new TypeShape(x.elemType(), s == null || x.dims() == null ? null
            : Broadcast.shape(x.dims(), Tensors.longs(s))));
      }
      case "Tile" -> {
        HostTensor s = values.apply(n.getInput(1));
        if (s == null || x.dims() == null) {
          yield one(new TypeShape(x.elemType(), x.dims() == null ? null : unknownDims(x.rank())));
        }
        long[] r = Tensors.longs(s);
        long[] d = x.dims().clone();
        for (int i = 0; i < d.length; i++) {
          d[i] = d[i] < 0 ? -1 : d[i] * r[i];
        }
        yield one(new TypeShape(x.elemType(), d));
      }
      case "Range" -> one(new TypeShape(x.elemType(), new long[] {-1}));
      case "NonZero" -> one(new TypeShape(INT64, x.dims() == null ? null : new long[] {x.rank(), -1}));
      case "TopK" -> {
        long[] d = x.dims() == null ? null : x.dims().clone();
        HostTensor k = n.getInputCount() > 1 ? values.apply(n.getInput(1)) : null;
        if (d != null) {
          long ax = Attrs.i(n, "axis", -1);
          int axis = (int) (ax < 0 ? ax + d.length : ax);
          d[axis] = k != null ? Tensors.longs(k)[0] : opset < 10 ? Attrs.i(n, "k", -1) : -1;
        }
        yield new TypeShape[] {new TypeShape(x.elemType(), d), new TypeShape(INT64, d)};
      }
      case "Split" -> null;
      default -> null;
    };
  }

  private static TypeShape[] one(TypeShape t) {
    return new TypeShape[] {t};
  }

  private static long[] unknownDims(long rank) {
    long[] d = new long[(int) rank];
    Arrays.fill(d, -1);
    return d;
  }

  private static long prod(long[] d, int from, int to) {
    long p = 1;
    for (int i = from; i < to; i++) {
      if (d[i] < 0) {
        return -1;
      }
      p *= d[i];
    }
    return p;
  }

  private static long shapeLen(NodeProto n, TypeShape x) {
    int r = x.rank();
    int start = ConstEval.norm((int) Attrs.i(n, "start", 0), r);
    int end = ConstEval.norm((int) Attrs.i(n, "end", r), r);
    return Math.max(0, end - start);
  }

  private static long[] longsOf(Function<String, HostTensor> values, NodeProto n, int i) {
    if (n.getInputCount() <= i || n.getInput(i).isEmpty()) {
      return null;
    }
    HostTensor v = values.apply(n.getInput(i));
    return v == null ? null : Tensors.longs(v);
  }

  private static TypeShape[] conv(NodeProto n, TypeShape x, TypeShape w, boolean pool) {
    if (x.dims() == null) {
      return one(new TypeShape(x.elemType(), null));
    }
    int spatial = x.rank() - 2;
    long[] kernel = Attrs.intsOrNull(n, "kernel_shape");
    if (kernel == null && w != null && w.dims() != null && w.rank() == x.rank()) {
      kernel = Arrays.copyOfRange(w.dims(), 2, w.rank());
    }
    long[] d = new long[x.rank()];
    d[0] = x.dims()[0];
    d[1] = pool ? x.dims()[1] : (w == null || w.dims() == null ? -1 : w.dims()[0]);
    if (kernel == null || kernel.length != spatial) {
      Arrays.fill(d, 2, d.length, -1);
      return one(new TypeShape(x.elemType(), d));
    }
    long[] strides = orOnes(Attrs.intsOrNull(n, "strides"), spatial);
    long[] dil = orOnes(Attrs.intsOrNull(n, "dilations"), spatial);
    long[] pads = Attrs.intsOrNull(n, "pads");
    String autoPad = Attrs.s(n, "auto_pad", "NOTSET");
    boolean ceil = Attrs.i(n, "ceil_mode", 0) == 1;
    for (int i = 0; i < spatial; i++) {
      long in = x.dims()[i + 2];
      if (in < 0) {
        d[i + 2] = -1;
        continue;
      }
      long eff = dil[i] * (kernel[i] - 1) + 1;
      switch (autoPad) {
        case "SAME_UPPER", "SAME_LOWER" -> d[i + 2] = (in + strides[i] - 1) / strides[i];
        case "VALID" -> d[i + 2] = (in - eff) / strides[i] + 1;
        default -> {
          long total = pads == null ? 0 : pads[i] + pads[i + spatial];
          long num = in + total - eff;
          d[i + 2] = (ceil ? Math.floorDiv(num + strides[i] - 1, strides[i]) : Math.floorDiv(num, strides[i])) + 1;
          if (ceil && pads != null && (d[i + 2] - 1) * strides[i] >= in + pads[i]) {
            d[i + 2]--; // the last window must start inside the input or its left padding
          }
        }
      }
    }
    return one(new TypeShape(x.elemType(), d));
  }

  private static long[] orOnes(long[] v, int n) {
    if (v != null && v.length == n) {
      return v;
    }
    long[] o = new long[n];
    Arrays.fill(o, 1);
    return o;
  }

  private static long[] matmul(long[] a, long[] b) {
    if (a == null || b == null || a.length == 0 || b.length == 0) {
      return null;
    }
    long[] aa = a.length == 1 ? new long[] {1, a[0]} : a;
    long[] bb = b.length == 1 ? new long[] {b[0], 1} : b;
    long[] batch = Broadcast.shape(
        Arrays.copyOfRange(aa, 0, aa.length - 2), Arrays.copyOfRange(bb, 0, bb.length - 2));
    List<Long> d = new ArrayList<>();
    for (long v : batch) {
      d.add(v);
    }
    if (a.length > 1) {
      d.add(aa[aa.length - 2]);
    }
    if (b.length > 1) {
      d.add(bb[bb.length - 1]);
    }
    return d.stream().mapToLong(Long::longValue).toArray();
  }

  private static TypeShape[] slice(NodeProto n, TypeShape x, Function<String, HostTensor> values, long opset) {
    if (x.dims() == null) {
      return one(x);
    }
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps;
    if (opset < 10) {
      starts = Attrs.intsOrNull(n, "starts");
      ends = Attrs.intsOrNull(n, "ends");
      axes = Attrs.intsOrNull(n, "axes");
      steps = null;
    } else {
      starts = longsOf(values, n, 1);
      ends = longsOf(values, n, 2);
      axes = longsOf(values, n, 3);
      steps = longsOf(values, n, 4);
      if ((n.getInputCount() > 3 && !n.getInput(3).isEmpty() && axes == null)
          || (n.getInputCount() > 4 && !n.getInput(4).isEmpty() && steps == null)) {
        starts = null;
      }
    }
    if (starts == null || ends == null) {
      return one(new TypeShape(x.elemType(), unknownDims(x.rank())));
    }
    long[] d = x.dims().clone();
    for (int i = 0; i < starts.length; i++) {
      int ax = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + d.length : axes[i]);
      long st = steps == null ? 1 : steps[i];
      long dim = x.dims()[ax];
      if (dim < 0) {
        d[ax] = -1;
        continue;
      }
      long b = starts[i] < 0 ? starts[i] + dim : starts[i];
      long e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (st > 0) {
        b = Math.max(0, Math.min(dim, b));
        e = Math.max(0, Math.min(dim, e));
        d[ax] = Math.max(0, (e - b + st - 1) / st);
      } else {
        b = Math.max(-1, Math.min(dim - 1, b));
        e = Math.max(-1, Math.min(dim - 1, e));
        d[ax] = Math.max(0, (b - e + (-st) - 1) / (-st));
      }
    }
    return one(new TypeShape(x.elemType(), d));
  }

  private static TypeShape[] resize(NodeProto n, TypeShape x, Function<String, HostTensor> values, long opset) {
    if (x.dims() == null) {
      return one(x);
    }
    long[] sizes = n.getOpType().equals("Resize") && opset >= 11 ? longsOf(values, n, 3) : null;
    if (sizes != null && sizes.length == x.rank()) {
      return one(new TypeShape(x.elemType(), sizes));
    }
    int scalesAt = n.getOpType().equals("Resize") && opset >= 11 ? 2 : 1;
    HostTensor s = n.getInputCount() > scalesAt && !n.getInput(scalesAt).isEmpty()
        ? values.apply(n.getInput(scalesAt)) : null;
    double[] scales = s == null ? null : Tensors.doubles(s);
    if (opset < 9 && n.getOpType().equals("Upsample") && Attrs.find(n, "scales") != null) {
      scales = Attrs.find(n, "scales").getFloatsList().stream().mapToDouble(Float::doubleValue).toArray();
    }
    if (scales == null || scales.length != x.rank()) {
      return one(new TypeShape(x.elemType(), unknownDims(x.rank())));
    }
    long[] d = new long[x.rank()];
    for (int i = 0; i < d.length; i++) {
      d[i] = x.dims()[i] < 0 ? -1 : (long) Math.floor(x.dims()[i] * (float) scales[i]);
    }
    return one(new TypeShape(x.elemType(), d));
  }

  private static TypeShape[] reduce(NodeProto n, TypeShape x, Function<String, HostTensor> values, long opset) {
    boolean arg = n.getOpType().startsWith("Arg");
    int type = arg ? INT64 : x.elemType();
    if (x.dims() == null) {
      return one(new TypeShape(type, null));
    }
    boolean keep = Attrs.i(n, "keepdims", 1) == 1;
    long[] axes;
    if (arg) {
      axes = new long[] {Attrs.i(n, "axis", 0)};
    } else if (Attrs.find(n, "axes") != null) {
      axes = Attrs.intsOrNull(n, "axes");
    } else if (n.getInputCount() > 1 && !n.getInput(1).isEmpty()) {
      axes = longsOf(values, n, 1);
      if (axes == null) {
        return one(new TypeShape(type, keep ? unknownDims(x.rank()) : null));
      }
    } else {
      axes = null;
    }
    if (axes != null && axes.length == 0) {
      axes = Attrs.i(n, "noop_with_empty_axes", 0) == 1 ? new long[0] : null;
      if (axes != null) {
        return one(x.withType(type));
      }
    }
    List<Long> d = new ArrayList<>();
    for (int i = 0; i < x.rank(); i++) {
      final int k = i;
      boolean reduced = axes == null || Arrays.stream(axes).anyMatch(a -> (a < 0 ? a + x.rank() : a) == k);
      if (!reduced) {
        d.add(x.dims()[i]);
      } else if (keep) {
        d.add(1L);
      }
    }
    return one(new TypeShape(type, d.stream().mapToLong(Long::longValue).toArray()));
  }
}
