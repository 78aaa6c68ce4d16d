package dev.trtcompat.quantize;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * The pixels of {@code Graphics2D.drawImage(image, 0, 0, width, height, null)} with bilinear interpolation onto a
 * fresh {@code TYPE_INT_RGB} image, computed without Java2D for the opaque 8-bit images JPEG and PNG decode to
 * ({@code TYPE_3BYTE_BGR}, {@code TYPE_BYTE_GRAY}): the same values bit for bit, so calibration's scales do not move.
 * Java2D's native loops (OpenJDK's {@code TransformHelper.c}: the inverse scale as 32.32 fixed point, the
 * {@code blHelper} edge clamps, {@code BilinearInterp}'s rounding, all unchanged since 2004) are reproduced; done in
 * Java without the rendering pipeline's set-up or a destination image, a source row interpolated across once for
 * both output rows that read it, it costs the reader thread about 0.2 ms less an image at 256x256 to 224x224
 * (docs/benchmarks.md). Other image types return null and take Java2D's path. BilinearScalingTest compares against
 * the running JDK's Java2D, so a JDK whose loops differ fails it instead of moving scales silently.
 */
final class BilinearScaling {

  private static final long ONE = 1L << 32;
  private static final long HALF = 1L << 31;

  private BilinearScaling() {}

  /**
   * The scaled image as {@code 0xRRGGBB} pixels, row-major, or null when {@code image} is not a layout reproduced
   * here.
   */
  static int[] scale(BufferedImage image, int width, int height) {
    Source src = Source.of(image);
    if (src == null) {
      return null;
    }
    // At the image's own size Java2D copies the pixels instead; the steps below then give the same copy (factor 0).
    Axis xs = Axis.of(image.getWidth(), width);
    Axis ys = Axis.of(image.getHeight(), height);
    if (xs == null || ys == null) {
      return null;
    }
    int[] out = new int[width * height];
    Row row0 = new Row(width);
    Row row1 = new Row(width);
    for (int y = 0; y < height; y++) {
      int s0 = ys.first[y];
      int s1 = ys.second[y];
      // Reuse what the previous output row interpolated: downscaling moves by less than two source rows a row.
      if (row0.source != s0) {
        if (row1.source == s0) {
          Row t = row0;
          row0 = row1;
          row1 = t;
        } else {
          src.horizontal(s0, xs, row0);
        }
      }
      if (row1.source != s1) {
        src.horizontal(s1, xs, row1);
      }
      int f = ys.factor[y];
      int o = y * width;
      int[] r0 = row0.red;
      int[] r1 = row1.red;
      int[] g0 = row0.green;
      int[] g1 = row1.green;
      int[] b0 = row0.blue;
      int[] b1 = row1.blue;
      for (int x = 0; x < width; x++) {
        out[o + x] = (vertical(r0[x], r1[x], f) << 16) | (vertical(g0[x], g1[x], f) << 8) | vertical(b0[x], b1[x], f);
      }
    }
    return out;
  }

  /** One source row interpolated across, per output column and channel (8.8 fixed point), and which row it is. */
  private static final class Row {
    final int[] red;
    final int[] green;
    final int[] blue;
    int source = -1;

    Row(int width) {
      red = new int[width];
      green = new int[width];
      blue = new int[width];
    }
  }

  /** {@code BilinearInterp}'s second step and rounding: two row values (8.8 fixed point) by the row factor. */
  private static int vertical(int top, int bottom, int factor) {
    return ((top << 8) + (bottom - top) * factor + (1 << 15)) >> 16;
  }

  /**
   * Per output column (or row): the two source pixels read and the 8-bit interpolation factor, as
   * {@code TransformHelper.c} steps through them: the output pixel centre mapped by the inverse scale
   * ({@code 1 / (out / in)}, as {@code AffineTransform.createInverse} computes it) in 32.32 fixed point, half a pixel
   * back, the whole part clamped to the image (its {@code blHelper}), the top 8 bits of the fraction the factor.
   */
  private record Axis(int[] first, int[] second, int[] factor) {

    static Axis of(int in, int out) {
      double inverse = 1.0 / ((double) out / in);
      long step = (long) (inverse * ONE);
      long centre = (long) ((0.5 * inverse) * ONE);
      if (!(Math.abs(inverse * out) < (1 << 30))) {
        return null; // Java2D takes its per-pixel path there; not reproduced
      }
      int[] first = new int[out];
      int[] second = new int[out];
      int[] factor = new int[out];
      for (int k = 0; k < out; k++) {
        long at = centre + k * step;
        if (at < 0 || (at >> 32) >= in) {
          return null; // a centre outside the image: Java2D leaves that pixel out; not reproduced
        }
        long back = at - HALF;
        int whole = (int) (back >> 32);
        int delta = whole + 1 < in ? 1 : 0;
        if (whole < 0) {
          whole = 0;
          delta = 0;
        }
        first[k] = whole;
        second[k] = whole + delta;
        factor[k] = (int) (back >>> 24) & 0xff;
      }
      return new Axis(first, second, factor);
    }
  }

  /** An 8-bit interleaved raster read as R, G, B (grey: one band for all three). */
  private record Source(byte[] data, int offset, int scan, int pixel, int red, int green, int blue) {

    static Source of(BufferedImage image) {
      int type = image.getType();
      if (type != BufferedImage.TYPE_3BYTE_BGR && type != BufferedImage.TYPE_BYTE_GRAY) {
        return null;
      }
      Raster raster = image.getRaster();
      if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm)
          || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
          || buffer.getNumBanks() != 1
          || raster.getDataBuffer().getDataType() != DataBuffer.TYPE_BYTE) {
        return null;
      }
      int[] bands = sm.getBandOffsets();
      int offset = buffer.getOffset()
          - raster.getSampleModelTranslateY() * sm.getScanlineStride()
          - raster.getSampleModelTranslateX() * sm.getPixelStride();
      if (type == BufferedImage.TYPE_3BYTE_BGR) {
        if (bands.length != 3) {
          return null;
        }
        return new Source(buffer.getData(), offset, sm.getScanlineStride(), sm.getPixelStride(), bands[0], bands[1], bands[2]);
      }
      if (bands.length != 1) {
        return null;
      }
      return new Source(buffer.getData(), offset, sm.getScanlineStride(), sm.getPixelStride(), bands[0], bands[0], bands[0]);
    }

    /** Source row {@code y} interpolated across into {@code into} ({@code BilinearInterp}'s first step). */
    void horizontal(int y, Axis xs, Row into) {
      int base = offset + y * scan;
      int[] first = xs.first;
      int[] second = xs.second;
      int[] factor = xs.factor;
      int[] r = into.red;
      int[] g = into.green;
      int[] b = into.blue;
      for (int x = 0; x < first.length; x++) {
        int p = base + first[x] * pixel;
        int q = base + second[x] * pixel;
        int f = factor[x];
        r[x] = across(data[p + red] & 0xff, data[q + red] & 0xff, f);
        g[x] = across(data[p + green] & 0xff, data[q + green] & 0xff, f);
        b[x] = across(data[p + blue] & 0xff, data[q + blue] & 0xff, f);
      }
      into.source = y;
    }

    private static int across(int left, int right, int factor) {
      return (left << 8) + (right - left) * factor;
    }
  }
}
