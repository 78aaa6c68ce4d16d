package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.reference.HostTensor;
import java.util.List;

/**
 * ReduceMin and ReduceMax of constants. They pick an element, so the result is exact in every type; exporters
 * compute resize factors with them from an image's baked-in size (torchvision's detection transform:
 * {@code min(320 / ReduceMin(shape), 640 / ReduceMax(shape))}), and folding them makes those sizes static.
 */
final class ConstReduce {

  private ConstReduce() {}

  /** The reduction, or null when an input is unknown, the axes are not constant or a reduced axis is empty. */
  static HostTensor eval(NodeProto n, List<HostTensor> ins, long opset) {
    HostTensor x = ins.isEmpty() ? null : ins.get(0);
    if (x == null) {
      return null;
    }
    long[] shape = x.shape();
    int rank = shape.length;
    long[] axes;
    if (opset >= 18 && ins.size() > 1 && n.getInput(1).length() > 0) {
      if (ins.get(1) == null) {
        return null;
      }
      axes = Tensors.longs(ins.get(1));
    } else {
      axes = opset >= 18 ? null : Attrs.intsOrNull(n, "axes");
    }
    if ((axes == null || axes.length == 0) && opset >= 18 && Attrs.i(n, "noop_with_empty_axes", 0) == 1) {
      return x;
    }
    boolean[] reduced = new boolean[rank];
    if (axes == null || axes.length == 0) {
      java.util.Arrays.fill(reduced, true);
    } else {
      for (long a : axes) {
        reduced[ConstEval.norm((int) a, rank)] = true;
      }
    }
    boolean keep = Attrs.i(n, "keepdims", 1) == 1;
    long[] outDims = new long[rank];
    for (int i = 0; i < rank; i++) {
      if (reduced[i] && shape[i] == 0) {
        return null;
      }
      outDims[i] = reduced[i] ? 1 : shape[i];
    }
    int count = Math.toIntExact(HostTensor.elementCount(outDims));
    boolean max = n.getOpType().equals("ReduceMax");
    boolean integer = !x.type().isFloatingPoint();
    long[] li = integer ? Tensors.longs(x) : null;
    double[] di = integer ? null : Tensors.doubles(x);
    long[] lo = new long[count];
    double[] dout = new double[count];
    boolean[] seen = new boolean[count];
    int total = integer ? li.length : di.length;
    for (int flat = 0; flat < total; flat++) {
      int rest = flat;
      int target = 0;
      int stride = 1;
      for (int i = rank - 1; i >= 0; i--) {
        int coord = (int) (rest % shape[i]);
        rest /= (int) shape[i];
        target += (reduced[i] ? 0 : coord) * stride;
        stride *= (int) outDims[i];
      }
      if (integer) {
        long v = li[flat];
        lo[target] = !seen[target] ? v : max ? Math.max(lo[target], v) : Math.min(lo[target], v);
      } else {
        double v = di[flat];
        dout[target] = !seen[target] ? v : max ? Math.max(dout[target], v) : Math.min(dout[target], v);
      }
      seen[target] = true;
    }
    long[] resultShape = keep ? outDims : dropReduced(outDims, reduced);
    return integer ? Tensors.ofLongs(x.type(), resultShape, lo) : Tensors.ofDoubles(x.type(), resultShape, dout);
  }

  private static long[] dropReduced(long[] dims, boolean[] reduced) {
    int k = 0;
    for (boolean r : reduced) {
      k += r ? 0 : 1;
    }
    long[] out = new long[k];
    int j = 0;
    for (int i = 0; i < dims.length; i++) {
      if (!reduced[i]) {
        out[j++] = dims[i];
      }
    }
    return out;
  }
}
