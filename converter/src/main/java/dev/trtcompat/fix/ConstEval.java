package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.HostTypes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Evaluates one node on constant inputs, for the ops exporters use to compute shapes, axes, pads and small
 * tables at run time: Shape/Size, Gather, Unsqueeze/Squeeze, Concat, Reshape/Flatten, Slice, Range,
 * ConstantOfShape, Expand, Tile, Transpose, Cast, Identity, elementwise arithmetic, comparison and logic.
 *
 * <p>Integers are computed exactly in {@code long} (integer Div truncates, as ONNX Runtime's kernel does);
 * floating values in {@code double} and rounded once to the output type, which for +, -, *, / and sqrt equals
 * what a float32 kernel computes. Anything else answers {@code null}: the node stays a run-time node.
 */
final class ConstEval {

  private ConstEval() {}

  /** @param ins the inputs' values in order, null for an absent optional input */
  static HostTensor eval(NodeProto n, List<HostTensor> ins, long opset) {
    if (!FixGraph.defaultDomain(n)) {
      return null;
    }
    try {
      HostTensor out = evalOp(n, ins, opset);
      if (out != null && out.elementCount() * out.type().byteSize() > Tensors.MAX_FOLD_BYTES) {
        return null;
      }
      return out;
    } catch (ArithmeticException | IllegalArgumentException | IndexOutOfBoundsException | NullPointerException e) {
      return null; // malformed or out-of-range constants: leave the node for the runtime to judge
    }
  }

  private static HostTensor in(List<HostTensor> ins, int i) {
    return i < ins.size() ? ins.get(i) : null;
  }

  private static HostTensor evalOp(NodeProto n, List<HostTensor> ins, long opset) {
    HostTensor a = in(ins, 0);
    switch (n.getOpType()) {
      case "Constant" -> {
        return constant(n);
      }
      case "Identity" -> {
        return a;
      }
      case "Shape" -> {
        long[] s = a.shape();
        int r = s.length;
        int start = norm((int) Attrs.i(n, "start", 0), r);
        int end = norm((int) Attrs.i(n, "end", r), r);
        long[] sel = Arrays.copyOfRange(s, start, Math.max(start, end));
        return Tensors.ofLongs(ElementType.INT64, new long[] {sel.length}, sel);
      }
      case "Size" -> {
        return Tensors.ofLongs(ElementType.INT64, new long[0], new long[] {a.elementCount()});
      }
      case "Cast" -> {
        ElementType to = HostTypes.fromWire((int) Attrs.i(n, "to", 0)).orElse(null);
        if (to == null) {
          return null;
        }
        if (!a.type().isFloatingPoint()) {
          return Tensors.ofLongs(to, a.shape(), Tensors.longs(a));
        }
        if (!to.isFloatingPoint() && to != ElementType.BOOL) {
          double[] d = Tensors.doubles(a);
          long[] l = new long[d.length];
          for (int i = 0; i < d.length; i++) {
            if (!Double.isFinite(d[i])) {
              return null; // float -> int of NaN/Inf is implementation-defined
            }
            l[i] = (long) d[i];
          }
          return Tensors.ofLongs(to, a.shape(), l);
        }
        return Tensors.ofDoubles(to, a.shape(), Tensors.doubles(a));
      }
      case "Unsqueeze" -> {
        long[] axes = opset >= 13 ? Tensors.longs(in(ins, 1)) : Attrs.ints(n, "axes");
        int r = a.shape().length + axes.length;
        List<Long> dims = new ArrayList<>();
        for (long d : a.shape()) {
          dims.add(d);
        }
        long[] sorted = Arrays.stream(axes).map(x -> x < 0 ? x + r : x).sorted().toArray();
        for (long ax : sorted) {
          dims.add((int) ax, 1L);
        }
        return reshaped(a, dims.stream().mapToLong(Long::longValue).toArray());
      }
      case "Squeeze" -> {
        HostTensor axT = in(ins, 1);
        long[] axes = opset >= 13 ? (axT == null ? null : Tensors.longs(axT)) : Attrs.intsOrNull(n, "axes");
        long[] s = a.shape();
        List<Long> dims = new ArrayList<>();
        for (int i = 0; i < s.length; i++) {
          final int k = i;
          boolean drop = axes == null ? s[i] == 1
              : Arrays.stream(axes).anyMatch(x -> (x < 0 ? x + s.length : x) == k);
          if (!drop) {
            dims.add(s[i]);
          }
        }
        return reshaped(a, dims.stream().mapToLong(Long::longValue).toArray());
      }
      case "Reshape" -> {
        long[] shape = Tensors.longs(in(ins, 1));
        boolean allowZero = Attrs.i(n, "allowzero", 0) == 1;
        long[] s = a.shape();
        long known = 1;
        int infer = -1;
        for (int i = 0; i < shape.length; i++) {
          if (shape[i] == 0 && !allowZero) {
            shape[i] = s[i];
          }
          if (shape[i] == -1) {
            infer = i;
          } else {
            known *= shape[i];
          }
        }
        if (infer >= 0) {
          shape[infer] = a.elementCount() / known;
        }
        return reshaped(a, shape);
      }
      case "Flatten" -> {
        long[] s = a.shape();
        int axis = norm((int) Attrs.i(n, "axis", 1), s.length);
        long outer = 1;
        for (int i = 0; i < axis; i++) {
          outer *= s[i];
        }
        return reshaped(a, new long[] {outer, a.elementCount() / Math.max(outer, 1)});
      }
      case "Concat" -> {
        return concat(ins, (int) Attrs.i(n, "axis", 0));
      }
      case "Gather" -> {
        return gather(a, in(ins, 1), (int) Attrs.i(n, "axis", 0));
      }
      case "Slice" -> {
        return slice(n, ins, opset);
      }
      case "Range" -> {
        HostTensor limit = in(ins, 1);
        HostTensor delta = in(ins, 2);
        if (!a.type().isFloatingPoint()) {
          long st = Tensors.longs(a)[0];
          long li = Tensors.longs(limit)[0];
          long de = Tensors.longs(delta)[0];
          long count = Math.max(0, (long) Math.ceil((double) (li - st) / de));
          long[] v = new long[Math.toIntExact(count)];
          for (int i = 0; i < v.length; i++) {
            v[i] = st + i * de;
          }
          return Tensors.ofLongs(a.type(), new long[] {v.length}, v);
        }
        double st = a.get(0);
        double li = limit.get(0);
        double de = delta.get(0);
        int count = (int) Math.max(0, Math.ceil((li - st) / de));
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
          v[i] = st + i * de;
        }
        return Tensors.ofDoubles(a.type(), new long[] {count}, v);
      }
      case "ConstantOfShape" -> {
        long[] shape = Tensors.longs(a);
        TensorProto value = Attrs.tensor(n, "value");
        HostTensor fill = value == null
            ? Tensors.ofDoubles(ElementType.FLOAT, new long[] {1}, new double[] {0})
            : Tensors.decode(value).orElse(null);
        if (fill == null) {
          return null;
        }
        return expand(fill, shape);
      }
      case "Expand" -> {
        long[] target = Tensors.longs(in(ins, 1));
        return expand(a, Broadcast.shape(a.shape(), target));
      }
      case "Tile" -> {
        return tile(a, Tensors.longs(in(ins, 1)));
      }
      case "Transpose" -> {
        return transpose(a, Attrs.intsOrNull(n, "perm"));
      }
      case "ReduceMin", "ReduceMax" -> {
        return ConstReduce.eval(n, ins, opset);
      }
      default -> {
        return Elementwise.eval(n, ins);
      }
    }
  }

  static int norm(int axis, int rank) {
    int v = axis < 0 ? axis + rank : axis;
    return Math.max(0, Math.min(rank, v));
  }

  static HostTensor reshaped(HostTensor a, long[] shape) {
    return new HostTensor("", a.type(), shape, a.data());
  }

  private static HostTensor constant(NodeProto n) {
    for (AttributeProto at : n.getAttributeList()) {
      switch (at.getName()) {
        case "value" -> {
          return Tensors.decode(at.getT()).orElse(null);
        }
        case "value_int" -> {
          return Tensors.ofLongs(ElementType.INT64, new long[0], new long[] {at.getI()});
        }
        case "value_ints" -> {
          long[] v = at.getIntsList().stream().mapToLong(Long::longValue).toArray();
          return Tensors.ofLongs(ElementType.INT64, new long[] {v.length}, v);
        }
        case "value_float" -> {
          return Tensors.ofDoubles(ElementType.FLOAT, new long[0], new double[] {at.getF()});
        }
        case "value_floats" -> {
          double[] v = at.getFloatsList().stream().mapToDouble(Float::doubleValue).toArray();
          return Tensors.ofDoubles(ElementType.FLOAT, new long[] {v.length}, v);
        }
        default -> { }
      }
    }
    return null;
  }

  /** Copies element bytes block-wise: the generic tool for concat, gather, slice, expand, tile, transpose. */
  private static HostTensor fromIndexMap(HostTensor a, long[] shape, java.util.function.LongUnaryOperator source) {
    int w = a.type().byteSize();
    long count = HostTensor.elementCount(shape);
    java.nio.ByteBuffer src = a.data();
    java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(Math.toIntExact(count * w));
    for (long i = 0; i < count; i++) {
      long from = source.applyAsLong(i);
      for (int b = 0; b < w; b++) {
        dst.put((int) (i * w + b), src.get((int) (from * w + b)));
      }
    }
    return new HostTensor("", a.type(), shape, dst);
  }

  static long[] strides(long[] shape) {
    long[] st = new long[shape.length];
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = acc;
      acc *= shape[i];
    }
    return st;
  }

  static long[] unravel(long flat, long[] shape) {
    long[] idx = new long[shape.length];
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] > 0) {
        idx[i] = flat % shape[i];
        flat /= shape[i];
      }
    }
    return idx;
  }

  private static HostTensor concat(List<HostTensor> ins, int axis) {
    HostTensor first = ins.get(0);
    int r = first.shape().length;
    int ax = axis < 0 ? axis + r : axis;
    long[] shape = first.shape();
    long total = 0;
    for (HostTensor t : ins) {
      if (t == null || t.type() != first.type() || t.shape().length != r) {
        return null;
      }
      total += t.shape()[ax];
    }
    shape[ax] = total;
    long outer = 1;
    for (int i = 0; i < ax; i++) {
      outer *= shape[i];
    }
    int w = first.type().byteSize();
    java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(Math.toIntExact(HostTensor.elementCount(shape) * w));
    for (long o = 0; o < outer; o++) {
      for (HostTensor t : ins) {
        long block = t.elementCount() / Math.max(outer, 1) * w;
        java.nio.ByteBuffer src = t.data();
        src.position((int) (o * block)).limit((int) ((o + 1) * block));
        dst.put(src);
      }
    }
    return new HostTensor("", first.type(), shape, dst.flip());
  }

  private static HostTensor gather(HostTensor data, HostTensor indices, int axis) {
    long[] ds = data.shape();
    int ax = axis < 0 ? axis + ds.length : axis;
    long[] idx = Tensors.longs(indices);
    long[] is = indices.shape();
    long[] shape = new long[ds.length - 1 + is.length];
    int k = 0;
    for (int i = 0; i < ax; i++) {
      shape[k++] = ds[i];
    }
    for (long d : is) {
      shape[k++] = d;
    }
    for (int i = ax + 1; i < ds.length; i++) {
      shape[k++] = ds[i];
    }
    long[] dstr = strides(ds);
    for (int i = 0; i < idx.length; i++) {
      idx[i] = idx[i] < 0 ? idx[i] + ds[ax] : idx[i];
      if (idx[i] < 0 || idx[i] >= ds[ax]) {
        throw new IndexOutOfBoundsException("gather index");
      }
    }
    return fromIndexMap(data, shape, flat -> {
      long[] o = unravel(flat, shape);
      long off = 0;
      for (int i = 0; i < ax; i++) {
        off += o[i] * dstr[i];
      }
      long ii = 0;
      long[] istr = strides(is);
      for (int i = 0; i < is.length; i++) {
        ii += o[ax + i] * istr[i];
      }
      off += idx[(int) ii] * dstr[ax];
      for (int i = ax + 1; i < ds.length; i++) {
        off += o[i - 1 + is.length] * dstr[i];
      }
      return off;
    });
  }

  private static HostTensor slice(NodeProto n, List<HostTensor> ins, long opset) {
    HostTensor a = ins.get(0);
    long[] s = a.shape();
    long[] starts;
    long[] ends;
    long[] axes;
    long[] steps;
    if (opset < 10) {
      starts = Attrs.ints(n, "starts");
      ends = Attrs.ints(n, "ends");
      axes = Attrs.intsOrNull(n, "axes");
      steps = null;
    } else {
      starts = Tensors.longs(ins.get(1));
      ends = Tensors.longs(ins.get(2));
      axes = in(ins, 3) == null ? null : Tensors.longs(in(ins, 3));
      steps = in(ins, 4) == null ? null : Tensors.longs(in(ins, 4));
    }
    long[] begin = new long[s.length];
    long[] step = new long[s.length];
    long[] shape = s.clone();
    Arrays.fill(step, 1);
    for (int i = 0; i < starts.length; i++) {
      int ax = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + s.length : axes[i]);
      long st = steps == null ? 1 : steps[i];
      if (st == 0) {
        return null;
      }
      long dim = s[ax];
      long b = starts[i] < 0 ? starts[i] + dim : starts[i];
      long e = ends[i] < 0 ? ends[i] + dim : ends[i];
      if (st > 0) {
        b = Math.max(0, Math.min(dim, b));
        e = Math.max(0, Math.min(dim, e));
        shape[ax] = Math.max(0, (e - b + st - 1) / st);
      } else {
        b = Math.max(-1, Math.min(dim - 1, b));
        e = Math.max(-1, Math.min(dim - 1, e));
        shape[ax] = Math.max(0, (b - e + (-st) - 1) / (-st));
      }
      begin[ax] = b;
      step[ax] = st;
    }
    long[] str = strides(s);
    return fromIndexMap(a, shape, flat -> {
      long[] o = unravel(flat, shape);
      long off = 0;
      for (int i = 0; i < o.length; i++) {
        off += (begin[i] + o[i] * step[i]) * str[i];
      }
      return off;
    });
  }

  private static HostTensor expand(HostTensor a, long[] shape) {
    long[] s = a.shape();
    long[] str = strides(s);
    int off = shape.length - s.length;
    if (off < 0) {
      return null;
    }
    return fromIndexMap(a, shape, flat -> {
      long[] o = unravel(flat, shape);
      long from = 0;
      for (int i = 0; i < s.length; i++) {
        from += (s[i] == 1 ? 0 : o[i + off]) * str[i];
      }
      return from;
    });
  }

  private static HostTensor tile(HostTensor a, long[] repeats) {
    long[] s = a.shape();
    if (repeats.length != s.length) {
      return null;
    }
    long[] shape = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = s[i] * repeats[i];
    }
    long[] str = strides(s);
    return fromIndexMap(a, shape, flat -> {
      long[] o = unravel(flat, shape);
      long from = 0;
      for (int i = 0; i < s.length; i++) {
        from += (o[i] % s[i]) * str[i];
      }
      return from;
    });
  }

  private static HostTensor transpose(HostTensor a, long[] perm) {
    long[] s = a.shape();
    long[] p = perm;
    if (p == null) {
      p = new long[s.length];
      for (int i = 0; i < s.length; i++) {
        p[i] = s.length - 1 - i;
      }
    }
    long[] shape = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = s[(int) p[i]];
    }
    long[] str = strides(s);
    long[] pp = p;
    return fromIndexMap(a, shape, flat -> {
      long[] o = unravel(flat, shape);
      long from = 0;
      for (int i = 0; i < s.length; i++) {
        from += o[i] * str[(int) pp[i]];
      }
      return from;
    });
  }

  static Optional<HostTensor> of(TensorProto t) {
    return Tensors.decode(t);
  }
}
