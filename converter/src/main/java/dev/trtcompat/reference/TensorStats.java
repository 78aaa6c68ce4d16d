package dev.trtcompat.reference;

/**
 * Min, max and mean of a tensor's values, NaNs counted apart so that one NaN does not hide the range of
 * the other values (an all-NaN or empty tensor has NaN statistics).
 */
record TensorStats(double min, double max, double mean, long nanCount) {

  static TensorStats of(HostTensor t) {
    int n = Math.toIntExact(t.elementCount());
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    long nans = 0;
    for (int i = 0; i < n; i++) {
      double v = t.get(i);
      if (Double.isNaN(v)) {
        nans++;
        continue;
      }
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    long counted = n - nans;
    if (counted == 0) {
      return new TensorStats(Double.NaN, Double.NaN, Double.NaN, nans);
    }
    return new TensorStats(min, max, sum / counted, nans);
  }
}
