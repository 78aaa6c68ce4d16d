package dev.trtcompat.fix;

import dev.trtcompat.shapes.Broadcasting;

/** NumPy-style multidirectional broadcasting, as ONNX defines it for elementwise ops and Expand. */
final class Broadcast {

  private Broadcast() {}

  /** The broadcast shape ({@link Broadcasting#shape}); throws when the shapes do not broadcast. */
  static long[] shape(long[] a, long[] b) {
    long[] out = Broadcasting.shape(a, b);
    if (out == null) {
      throw new IllegalArgumentException("shapes do not broadcast");
    }
    return out;
  }

  /** Flat index into an input of shape {@code in} for flat output index {@code flat} of shape {@code out}. */
  static long sourceIndex(long flat, long[] out, long[] in) {
    long[] o = ConstEval.unravel(flat, out);
    long[] st = ConstEval.strides(in);
    int off = out.length - in.length;
    long from = 0;
    for (int i = 0; i < in.length; i++) {
      from += (in[i] == 1 ? 0 : o[i + off]) * st[i];
    }
    return from;
  }
}
