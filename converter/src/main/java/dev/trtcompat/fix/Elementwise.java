package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.reference.HostTensor;
import java.util.List;
import java.util.Set;

/** Elementwise ops on constants with broadcasting: arithmetic, comparison, logic, Where and a few unary ones. */
final class Elementwise {

  private static final Set<String> BINARY =
      Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Equal", "Less", "Greater", "LessOrEqual",
          "GreaterOrEqual", "And", "Or", "Xor");
  private static final Set<String> COMPARE =
      Set.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor");
  private static final Set<String> UNARY =
      Set.of("Neg", "Abs", "Sqrt", "Floor", "Ceil", "Reciprocal", "Relu", "Not", "Sign");

  private Elementwise() {}

  static HostTensor eval(NodeProto n, List<HostTensor> ins) {
    String op = n.getOpType();
    if (UNARY.contains(op) && ins.size() == 1) {
      return unary(op, ins.get(0));
    }
    if (op.equals("Where") && ins.size() == 3) {
      return where(ins.get(0), ins.get(1), ins.get(2));
    }
    if (!BINARY.contains(op) || ins.size() != 2 && !(ins.size() > 2 && (op.equals("Max") || op.equals("Min")))) {
      return null;
    }
    HostTensor acc = ins.get(0);
    for (int k = 1; k < ins.size(); k++) {
      acc = binary(op, acc, ins.get(k));
      if (acc == null) {
        return null;
      }
    }
    return acc;
  }

  private static HostTensor binary(String op, HostTensor a, HostTensor b) {
    if (a.type() != b.type() && !op.equals("Pow")) {
      return null;
    }
    long[] shape = Broadcast.shape(a.shape(), b.shape());
    int count = Math.toIntExact(HostTensor.elementCount(shape));
    boolean cmp = COMPARE.contains(op);
    ElementType outType = cmp ? ElementType.BOOL : a.type();
    if (!a.type().isFloatingPoint() && !(op.equals("Pow") && b.type().isFloatingPoint())) {
      long[] x = Tensors.longs(a);
      long[] y = Tensors.longs(b);
      long[] out = new long[count];
      for (int i = 0; i < count; i++) {
        long p = x[(int) Broadcast.sourceIndex(i, shape, a.shape())];
        long q = y[(int) Broadcast.sourceIndex(i, shape, b.shape())];
        out[i] = switch (op) {
          case "Add" -> p + q;
          case "Sub" -> p - q;
          case "Mul" -> p * q;
          case "Div" -> {
            if (q == 0) {
              throw new ArithmeticException("division by zero");
            }
            yield p / q;
          }
          case "Pow" -> (long) Math.pow(p, q);
          case "Max" -> Math.max(p, q);
          case "Min" -> Math.min(p, q);
          case "Equal" -> p == q ? 1 : 0;
          case "Less" -> p < q ? 1 : 0;
          case "Greater" -> p > q ? 1 : 0;
          case "LessOrEqual" -> p <= q ? 1 : 0;
          case "GreaterOrEqual" -> p >= q ? 1 : 0;
          case "And" -> (p != 0 && q != 0) ? 1 : 0;
          case "Or" -> (p != 0 || q != 0) ? 1 : 0;
          case "Xor" -> ((p != 0) ^ (q != 0)) ? 1 : 0;
          default -> throw new IllegalArgumentException(op);
        };
      }
      return Tensors.ofLongs(outType, shape, out);
    }
    if (op.equals("Pow")) {
      return null; // float pow rounds differently from the runtime's powf; not worth a mismatch
    }
    double[] x = Tensors.doubles(a);
    double[] y = Tensors.doubles(b);
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      double p = x[(int) Broadcast.sourceIndex(i, shape, a.shape())];
      double q = y[(int) Broadcast.sourceIndex(i, shape, b.shape())];
      out[i] = switch (op) {
        case "Add" -> p + q;
        case "Sub" -> p - q;
        case "Mul" -> p * q;
        case "Div" -> p / q;
        case "Max" -> Math.max(p, q);
        case "Min" -> Math.min(p, q);
        case "Equal" -> p == q ? 1 : 0;
        case "Less" -> p < q ? 1 : 0;
        case "Greater" -> p > q ? 1 : 0;
        case "LessOrEqual" -> p <= q ? 1 : 0;
        case "GreaterOrEqual" -> p >= q ? 1 : 0;
        default -> throw new IllegalArgumentException(op);
      };
    }
    return Tensors.ofDoubles(outType, shape, out);
  }

  private static HostTensor unary(String op, HostTensor a) {
    if (!a.type().isFloatingPoint()) {
      long[] x = Tensors.longs(a);
      for (int i = 0; i < x.length; i++) {
        x[i] = switch (op) {
          case "Neg" -> -x[i];
          case "Abs" -> Math.abs(x[i]);
          case "Relu" -> Math.max(0, x[i]);
          case "Not" -> x[i] != 0 ? 0 : 1;
          case "Sign" -> Long.signum(x[i]);
          case "Floor", "Ceil" -> x[i];
          default -> throw new IllegalArgumentException(op);
        };
      }
      return Tensors.ofLongs(a.type(), a.shape(), x);
    }
    double[] x = Tensors.doubles(a);
    for (int i = 0; i < x.length; i++) {
      x[i] = switch (op) {
        case "Neg" -> -x[i];
        case "Abs" -> Math.abs(x[i]);
        case "Sqrt" -> Math.sqrt(x[i]);
        case "Floor" -> Math.floor(x[i]);
        case "Ceil" -> Math.ceil(x[i]);
        case "Reciprocal" -> 1.0 / x[i];
        case "Relu" -> Math.max(0, x[i]);
        case "Sign" -> Math.signum(x[i]);
        default -> throw new IllegalArgumentException(op);
      };
    }
    return Tensors.ofDoubles(a.type(), a.shape(), x);
  }

  private static HostTensor where(HostTensor c, HostTensor a, HostTensor b) {
    if (a.type() != b.type()) {
      return null;
    }
    long[] shape = Broadcast.shape(Broadcast.shape(c.shape(), a.shape()), b.shape());
    int count = Math.toIntExact(HostTensor.elementCount(shape));
    long[] cv = Tensors.longs(c);
    int w = a.type().byteSize();
    java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(count * w);
    java.nio.ByteBuffer av = a.data();
    java.nio.ByteBuffer bv = b.data();
    for (int i = 0; i < count; i++) {
      boolean pick = cv[(int) Broadcast.sourceIndex(i, shape, c.shape())] != 0;
      java.nio.ByteBuffer src = pick ? av : bv;
      long from = Broadcast.sourceIndex(i, shape, pick ? a.shape() : b.shape());
      for (int k = 0; k < w; k++) {
        dst.put(i * w + k, src.get((int) (from * w + k)));
      }
    }
    return new HostTensor("", a.type(), shape, dst);
  }
}
