package dev.trtcompat.quantize;

import java.util.Arrays;
import java.util.Locale;

/**
 * How an image becomes a model input: resized to {@code width x height} (bilinear), RGB, each value multiplied by
 * {@code scale} (e.g. 1/255), then {@code (v - mean[c]) / std[c]} per channel, laid out NCHW or NHWC with a batch of
 * one. A null size means the model's fixed spatial dimensions.
 */
public record ImagePreprocessing(Integer width, Integer height, Layout layout, double[] mean, double[] std, double scale) {

  private static final String ERROR = "invalid_preprocessing";

  public enum Layout {
    NCHW,
    NHWC
  }

  public ImagePreprocessing {
    mean = mean.clone();
    std = std.clone();
    if (mean.length != 3 || std.length != 3) {
      throw new OptionException(ERROR, a -> RequestOption.MEAN.in(a) + " and " + RequestOption.STD.in(a)
          + " take three values (R,G,B), e.g. 0.485,0.456,0.406");
    }
    for (double s : std) {
      if (!(s > 0)) {
        throw new OptionException(ERROR, a -> "every " + RequestOption.STD.in(a) + " value must be above 0");
      }
    }
    if (!(scale > 0) || !Double.isFinite(scale)) {
      throw OptionException.of(ERROR, RequestOption.SCALE, " must be a positive number, e.g. 1/255");
    }
    if ((width != null && width < 1) || (height != null && height < 1)) {
      throw OptionException.of(ERROR, RequestOption.SIZE, " must be positive, e.g. 224x224");
    }
  }

  /**
   * The preprocessing as given in text, by the command line's options or the service's form fields (one parser, so
   * both check the same way): {@code size} WxH (null or blank: the model's), {@code layout} NCHW or NHWC, {@code mean}
   * and {@code std} three comma-separated numbers, {@code scale} a number or a fraction such as 1/255.
   */
  public static ImagePreprocessing parse(String size, String layout, String mean, String std, String scale) {
    Integer w = null;
    Integer h = null;
    if (size != null && !size.isBlank()) {
      int[] wh = parseSize(size);
      w = wh[0];
      h = wh[1];
    }
    Layout l;
    try {
      l = Layout.valueOf(layout.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw OptionException.of(ERROR, RequestOption.LAYOUT, " '" + layout + "' is neither NCHW nor NHWC");
    }
    double s;
    try {
      s = parseNumber(scale);
    } catch (NumberFormatException e) {
      throw OptionException.of(ERROR, RequestOption.SCALE, " '" + scale + "' is not a number such as 1/255");
    }
    return new ImagePreprocessing(
        w, h, l, parseTriple(RequestOption.MEAN, mean), parseTriple(RequestOption.STD, std), s);
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
    throw OptionException.of(ERROR, RequestOption.SIZE, " '" + text + "' is not WIDTHxHEIGHT, e.g. 224x224");
  }

  /** Parses three comma-separated numbers. */
  static double[] parseTriple(RequestOption option, String text) {
    String[] p = text.split(",");
    double[] v = new double[p.length];
    try {
      for (int i = 0; i < p.length; i++) {
        v[i] = parseNumber(p[i]);
      }
    } catch (NumberFormatException e) {
      throw OptionException.of(ERROR, option, " '" + text + "' is not three comma-separated numbers");
    }
    if (v.length != 3) {
      throw OptionException.of(ERROR, option, " '" + text + "' is not three comma-separated numbers");
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

}
