package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import java.util.Arrays;
import java.util.Locale;

/**
 * How an image becomes a model input: resized to {@code width x height} (bilinear), RGB, each value multiplied by
 * {@code scale} (e.g. 1/255), then {@code (v - mean[c]) / std[c]} per channel, laid out NCHW or NHWC with a batch of
 * one. A null size means the model's fixed spatial dimensions.
 */
public record ImagePreprocessing(Integer width, Integer height, Layout layout, double[] mean, double[] std, double scale) {

  public enum Layout {
    NCHW,
    NHWC
  }

  public ImagePreprocessing {
    mean = mean.clone();
    std = std.clone();
    if (mean.length != 3 || std.length != 3) {
      throw bad("--mean and --std take three values (R,G,B), e.g. 0.485,0.456,0.406");
    }
    for (double s : std) {
      if (!(s > 0)) {
        throw bad("every --std value must be above 0");
      }
    }
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw bad("--scale must be a positive number, e.g. 1/255");
    }
    if ((width != null && width < 1) || (height != null && height < 1)) {
      throw bad("--size must be positive, e.g. 224x224");
    }
  }

  /** Values in [0, 1] (scale 1/255), no normalisation, NCHW, size from the model. */
  public static ImagePreprocessing defaults() {
    return new ImagePreprocessing(null, null, Layout.NCHW, new double[] {0, 0, 0}, new double[] {1, 1, 1}, 1 / 255.0);
  }

  @Override
  public double[] mean() {
    return mean.clone();
  }

  @Override
  public double[] std() {
    return std.clone();
  }

  /** Parses {@code 224x224} (width x height). */
  public static int[] parseSize(String text) {
    String[] p = text.trim().toLowerCase(Locale.ROOT).split("x");
    try {
      if (p.length == 2) {
        return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw bad("--size '" + text + "' is not WIDTHxHEIGHT, e.g. 224x224");
  }

  /** Parses three comma-separated numbers. */
  public static double[] parseTriple(String option, String text) {
    String[] p = text.split(",");
    double[] v = new double[p.length];
    try {
      for (int i = 0; i < p.length; i++) {
        v[i] = parseNumber(p[i]);
      }
    } catch (NumberFormatException e) {
      throw bad(option + " '" + text + "' is not three comma-separated numbers");
    }
    if (v.length != 3) {
      throw bad(option + " '" + text + "' is not three comma-separated numbers");
    }
    return v;
  }

  /** A number or a fraction such as {@code 1/255}. */
  public static double parseNumber(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    if (slash > 0) {
      return Double.parseDouble(t.substring(0, slash).trim()) / Double.parseDouble(t.substring(slash + 1).trim());
    }
    return Double.parseDouble(t);
  }

  public String describe() {
    return String.format(
        Locale.ROOT, "%s RGB, %s, scale %.6g, mean %s, std %s",
        width == null ? "model size" : width + "x" + height, layout, scale, Arrays.toString(mean), Arrays.toString(std));
  }

  private static UserFacingException bad(String detail) {
    return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_preprocessing", detail);
  }
}
