package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BilinearScaling} gives exactly Java2D's pixels ({@link ImageCalibrationSet#java2d}, the path it replaces),
 * so calibration tensors and scales stay bit for bit what they were: down- and up-scaling, odd sizes, one-pixel
 * images, output rows longer than Java2D's 512-pixel buffer, colour and grey; and on files as ImageIO decodes them
 * (JPEG colour and grey, PNG RGB and grey). Alpha, 16-bit and palette PNGs are not reproduced and must say so (null),
 * so that they keep Java2D's path. Both paths share the normalisation, so equal pixels are equal tensors.
 */
class BilinearScalingTest {

  @TempDir Path tmp;

  static Stream<Arguments> sizes() {
    List<Arguments> cases = new ArrayList<>();
    int[][] fixed = {
      {256, 256, 224, 224}, {224, 224, 224, 224}, {300, 200, 224, 224}, {97, 61, 224, 224}, {1, 1, 5, 3},
      {2, 3, 7, 1}, {500, 37, 31, 113}, {640, 480, 224, 224}, {300, 40, 700, 50}, {3, 1000, 1, 9}, {224, 225, 224, 224},
      {1023, 1, 224, 224}
    };
    for (int[] f : fixed) {
      cases.add(Arguments.of(f[0], f[1], f[2], f[3]));
    }
    SplittableRandom r = new SplittableRandom(12);
    for (int i = 0; i < 24; i++) {
      cases.add(Arguments.of(1 + r.nextInt(400), 1 + r.nextInt(400), 1 + r.nextInt(300), 1 + r.nextInt(300)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}x{1} -> {2}x{3}")
  @MethodSource("sizes")
  void colourAndGreyImagesScaleToJava2dsPixels(int sw, int sh, int w, int h) {
    for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_BYTE_GRAY}) {
      BufferedImage image = new BufferedImage(sw, sh, type);
      byte[] data = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
      new SplittableRandom(sw * 31L + sh).nextBytes(data);
      int[] ours = BilinearScaling.scale(image, w, h);
      assertThat(ours).as("type %d reproduced", type).isNotNull();
      assertThat(ours).as("type %d", type).isEqualTo(ImageCalibrationSet.java2d(image, w, h));
    }
  }

  @Test
  void decodedFilesScaleToJava2dsPixelsOrTakeJava2dsPath() throws Exception {
    int reproduced = 0;
    for (int[] size : new int[][] {{256, 256}, {181, 97}, {40, 300}}) {
      for (String kind : List.of("jpg-rgb", "jpg-grey", "png-rgb", "png-grey", "png-alpha", "png-16bit", "png-palette")) {
        File file = write(kind, size[0], size[1]);
        BufferedImage decoded = ImageIO.read(file);
        int[] ours = BilinearScaling.scale(decoded, 224, 224);
        boolean opaque8 = !kind.equals("png-alpha") && !kind.equals("png-16bit") && !kind.equals("png-palette");
        if (opaque8) {
          assertThat(ours).as("%s %dx%d (type %d) reproduced", kind, size[0], size[1], decoded.getType()).isNotNull();
          assertThat(ours).as(kind).isEqualTo(ImageCalibrationSet.java2d(decoded, 224, 224));
          reproduced++;
        } else {
          assertThat(ours).as("%s (type %d) keeps Java2D's path", kind, decoded.getType()).isNull();
        }
      }
    }
    assertThat(reproduced).isEqualTo(12);
  }

  /** A smooth image with noise (so JPEG keeps detail) in the file kind named. */
  private File write(String kind, int w, int h) throws Exception {
    SplittableRandom r = new SplittableRandom(w * 7L + h);
    int type = switch (kind) {
      case "jpg-grey", "png-grey" -> BufferedImage.TYPE_BYTE_GRAY;
      case "png-alpha" -> BufferedImage.TYPE_INT_ARGB;
      case "png-16bit" -> BufferedImage.TYPE_USHORT_GRAY;
      case "png-palette" -> BufferedImage.TYPE_BYTE_INDEXED;
      default -> BufferedImage.TYPE_INT_RGB;
    };
    BufferedImage image = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int red = (int) (127 + 120 * Math.sin(x * 0.07 + y * 0.03)) + r.nextInt(8);
        int green = (int) (127 + 120 * Math.sin(x * 0.02 - y * 0.05)) + r.nextInt(8);
        int blue = (x * 255 / w + y * 255 / h) / 2;
        image.setRGB(x, y, (r.nextInt(256) << 24) | (Math.min(red, 255) << 16) | (Math.min(green, 255) << 8) | blue);
      }
    }
    if (type == BufferedImage.TYPE_USHORT_GRAY) {
      short[] data = ((DataBufferUShort) image.getRaster().getDataBuffer()).getData();
      for (int i = 0; i < data.length; i++) {
        data[i] = (short) r.nextInt(65536); // all 16 bits used
      }
    }
    String format = kind.startsWith("jpg") ? "jpg" : "png";
    File file = tmp.resolve(kind + "-" + w + "x" + h + "." + format).toFile();
    assertThat(ImageIO.write(image, format, file)).as("ImageIO writes %s", kind).isTrue();
    return file;
  }
}
