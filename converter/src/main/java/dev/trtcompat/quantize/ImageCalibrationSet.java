package dev.trtcompat.quantize;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.reference.HostTensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Calibration samples from JPEG/PNG images (decoded by {@code javax.imageio}, no native code), one image per sample,
 * for a model with a single 4-D float input. Each file's format is read from its first bytes when the set is opened
 * ({@link ImageFormat}), so a file that holds something else is refused before any sample runs.
 */
final class ImageCalibrationSet implements CalibrationSet {

  private final List<Path> files;
  private final List<ImageFormat> formats;
  private final ImagePreprocessing pre;
  private String sha256;

  ImageCalibrationSet(List<Path> files, ImagePreprocessing pre) {
    this.files = List.copyOf(files);
    this.formats = this.files.stream().map(ImageFormat::of).toList();
    this.pre = pre;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public Map<String, HostTensor> sample(int index, List<ModelInput> inputs) {
    ModelInput in = imageInput(inputs);
    long[] dims = in.dims();
    boolean nchw = pre.layout() == ImagePreprocessing.Layout.NCHW;
    int hAxis = nchw ? 2 : 1;
    int wAxis = nchw ? 3 : 2;
    int cAxis = nchw ? 1 : 3;
    if (dims[cAxis] >= 0 && dims[cAxis] != 3) {
      throw new OptionException("invalid_calibration_data",
          a -> "input '" + in.name() + "' (" + in.describeShape() + ") has " + dims[cAxis] + " channels in "
              + pre.layout() + " layout; images give 3 (RGB). Is " + RequestOption.LAYOUT.in(a) + " right?");
    }
    int width = pre.width() != null ? pre.width() : fixed(dims[wAxis], in, "width");
    int height = pre.height() != null ? pre.height() : fixed(dims[hAxis], in, "height");
    BufferedImage image = formats.get(index).decode(files.get(index));
    int[] pixels = BilinearScaling.scale(image, width, height);
    if (pixels == null) {
      pixels = java2d(image, width, height);
    }
    ByteBuffer b = ByteBuffer.allocate(width * height * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
    normalize(pixels, width * height, nchw, b.asFloatBuffer());
    long[] shape = nchw ? new long[] {1, 3, height, width} : new long[] {1, height, width, 3};
    return Map.of(in.name(), new HostTensor(in.name(), ElementType.FLOAT, shape, b));
  }

  /**
   * {@code image} drawn at {@code width x height} with Java2D's bilinear interpolation, as {@code 0xRRGGBB} pixels:
   * what {@link BilinearScaling} reproduces for the common types, and the path of all the others.
   */
  static int[] java2d(BufferedImage image, int width, int height) {
    BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(image, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData(); // TYPE_INT_RGB: 0xRRGGBB, row-major
  }

  /**
   * Writes the pixels into {@code out} as model input values, {@code (c * scale - mean) / std} per channel,
   * in the model's layout. A pixel's 8-bit channel has 256 possible values, so each channel's values are computed
   * once into a table; the pixels are read as ints ({@code 0xRRGGBB}; per-pixel {@code getRGB} would go
   * through the colour model), and written straight into the sample (no float array copied in afterwards).
   */
  private void normalize(int[] pixels, int plane, boolean nchw, FloatBuffer out) {
    double[] mean = pre.mean();
    double[] std = pre.std();
    float[][] table = new float[3][256];
    for (int ch = 0; ch < 3; ch++) {
      for (int c = 0; c < 256; c++) {
        table[ch][c] = (float) ((c * pre.scale() - mean[ch]) / std[ch]);
      }
    }
    for (int i = 0; i < plane; i++) {
      int p = pixels[i];
      float r = table[0][(p >> 16) & 0xff];
      float g = table[1][(p >> 8) & 0xff];
      float bl = table[2][p & 0xff];
      if (nchw) {
        out.put(i, r);
        out.put(plane + i, g);
        out.put(2 * plane + i, bl);
      } else {
        out.put(3 * i, r);
        out.put(3 * i + 1, g);
        out.put(3 * i + 2, bl);
      }
    }
  }

  private static int fixed(long dim, ModelInput in, String what) {
    if (dim < 0) {
      throw new OptionException("invalid_calibration_data", a -> "input '" + in.name() + "' (" + in.describeShape()
          + ") has a dynamic " + what + "; give " + RequestOption.SIZE.in(a) + " WxH");
    }
    return Math.toIntExact(dim);
  }

  private static ModelInput imageInput(List<ModelInput> inputs) {
    if (inputs.size() != 1 || inputs.get(0).type() != ElementType.FLOAT || inputs.get(0).dims().length != 4) {
      throw CalibrationFiles.bad(
          "calibration images feed a model with one 4-D FLOAT input; this model's inputs are "
              + inputs.stream().map(i -> i.name() + " " + i.type() + " " + i.describeShape()).toList()
              + " (give .npz files instead)");
    }
    return inputs.get(0);
  }

  @Override
  public String label(int index) {
    return files.get(index).getFileName().toString();
  }

  @Override
  public String description() {
    return CalibrationFiles.describeFiles(files, "image") + ", " + preprocessing();
  }

  @Override
  public String preprocessing() {
    return pre.describe();
  }

  @Override
  public synchronized String sha256() {
    if (sha256 == null) {
      sha256 = CalibrationFiles.sha256(files);
    }
    return sha256;
  }

  @Override
  public boolean synthetic() {
    return false;
  }
}
