package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import java.util.Locale;

/**
 * How an activation's clipping range (amax, the value mapped to 127) is chosen from its histogram.
 *
 * <ul>
 *   <li>{@code MINMAX}: the largest |x| seen; nothing is clipped, small values lose resolution.
 *   <li>{@code PERCENTILE}: the upper edge of the bin where the cumulative count reaches the percentile (default
 *       99.99) of all values.
 *   <li>{@code ENTROPY}: the threshold that minimises the KL divergence between the FP32 distribution and its
 *       128-level quantized form, as TensorRT's entropy calibrator does ({@link EntropyThreshold}).
 * </ul>
 */
public enum RangeMethod {
  MINMAX,
  PERCENTILE,
  ENTROPY;

  public static final double DEFAULT_PERCENTILE = 99.99;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RangeMethod parse(String text) {
    for (RangeMethod m : values()) {
      if (m.wireName().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return m;
      }
    }
    throw new UserFacingException(
        UserFacingException.Kind.BAD_REQUEST, "unknown_method",
        "unknown calibration method '" + text + "'; expected minmax, percentile or entropy");
  }

  /** The amax for a histogram; 0 when the tensor held only zeros. */
  public double amax(TensorHistogram h, double percentile) {
    if (h.maxAbs() == 0) {
      return 0;
    }
    return switch (this) {
      case MINMAX -> h.maxAbs();
      case PERCENTILE -> Math.min(h.maxAbs(), percentileAmax(h.bins(), h.binWidth(), h.count(), percentile));
      case ENTROPY -> Math.min(h.maxAbs(), EntropyThreshold.amax(h.bins(), h.zeros(), h.binWidth()));
    };
  }

  /** Upper edge of the first bin at which the cumulative count reaches {@code percentile}% of {@code total}. */
  static double percentileAmax(long[] bins, double binWidth, long total, double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw new UserFacingException(
          UserFacingException.Kind.BAD_REQUEST, "invalid_percentile",
          "the percentile must be above 0 and at most 100, got " + percentile);
    }
    double wanted = total * (percentile / 100.0);
    long cumulative = 0;
    for (int i = 0; i < bins.length; i++) {
      cumulative += bins[i];
      if (cumulative >= wanted) {
        return (i + 1) * binWidth;
      }
    }
    return bins.length * binWidth;
  }
}
