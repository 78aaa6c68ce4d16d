package dev.trtcompat.shapes;

/**
 * Multidirectional (NumPy-style) broadcasting as ONNX defines it for element-wise ops, MatMul's batch dims and
 * Expand: shapes are aligned at their last dimension, a missing or size-1 dimension takes the other side's size.
 */
public final class Broadcasting {

  private Broadcasting() {}

  /**
   * The broadcast shape of {@code a} and {@code b}, or null when they do not broadcast. A negative entry is an
   * unknown dimension: it stays unknown unless the other side is known and not 1.
   */
  public static long[] shape(long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long x = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      long y = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (x == 1) {
        out[i] = y;
      } else if (y == 1) {
        out[i] = x;
      } else if (x < 0 || y < 0) {
        out[i] = x < 0 ? y : x;
      } else if (x == y) {
        out[i] = x;
      } else {
        return null;
      }
    }
    return out;
  }
}
