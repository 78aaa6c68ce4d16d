package dev.trtcompat.fix;

/** NumPy-style multidirectional broadcasting, as ONNX defines it for elementwise ops and Expand. */
final class Broadcast {

  private Broadcast() {}

  /** The broadcast shape; -1 entries (unknown dims) stay unknown unless the other side decides. */
  static long[] shape(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
      long y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
      if (x == 1) {
        out[i] = y;
      } else if (y == 1) {
        out[i] = x;
      } else if (x < 0 || y < 0) {
        out[i] = x < 0 ? y : x;
      } else if (x == y) {
        out[i] = x;
      } else {
        throw new IllegalArgumentException("shapes do not broadcast");
      }
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
