package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.reference.HostTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * An image at the model's size becomes exactly {@code (c * scale - mean) / std} of each pixel's channel, in the
 * stated layout: the table-driven conversion must equal that formula computed pixel by pixel from {@code getRGB}.
 */
class ImageCalibrationSetTest {

  @TempDir Path tmp;

  private static final double[] MEAN = {0.485, 0.456, 0.406};
  private static final double[] STD = {0.229, 0.224, 0.225};

  @Test
  void pixelsBecomeNormalizedValuesInNchwAndNhwc() throws Exception {
    int w = 7;
    int h = 5;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    SplittableRandom r = new SplittableRandom(9);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt(0x1000000));
      }
    }
    img.setRGB(0, 0, 0x000000);
    img.setRGB(1, 0, 0xffffff);
    Path png = tmp.resolve("img.png"); // lossless: the decoded pixels are the ones written
    ImageIO.write(img, "png", png.toFile());

    for (ImagePreprocessing.Layout layout : ImagePreprocessing.Layout.values()) {
      boolean nchw = layout == ImagePreprocessing.Layout.NCHW;
      ImagePreprocessing pre = new ImagePreprocessing(w, h, layout, MEAN, STD, 1 / 255.0);
      long[] dims = nchw ? new long[] {1, 3, h, w} : new long[] {1, h, w, 3};
      HostTensor t = new ImageCalibrationSet(List.of(png), pre)
          .sample(0, List.of(new ModelInput("x", ElementType.FLOAT, dims))).get("x");
      assertThat(t.shape()).containsExactly(dims);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = img.getRGB(x, y);
          int[] c = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
          for (int ch = 0; ch < 3; ch++) {
            float expected = (float) ((c[ch] * (1 / 255.0) - MEAN[ch]) / STD[ch]);
            int at = nchw ? ch * w * h + y * w + x : (y * w + x) * 3 + ch;
            assertThat((float) t.get(at)).as("%s x=%d y=%d ch=%d", layout, x, y, ch).isEqualTo(expected);
          }
        }
      }
    }
  }

  /** A 96x96 picture of random pixels in {@code format}: large enough that a JPEG cut at 70% is cut in its pixels. */
  static byte[] picture(String format) throws Exception {
    BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
    SplittableRandom r = new SplittableRandom(3);
    for (int y = 0; y < 96; y++) {
      for (int x = 0; x < 96; x++) {
        img.setRGB(x, y, r.nextInt(0x1000000));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).isTrue();
    return out.toByteArray();
  }

  static Stream<Arguments> notWhatTheNameSays() throws Exception {
    byte[] jpeg = picture("jpg");
    byte[] png = picture("png");
    return Stream.of(
        Arguments.of("gif.jpg", picture("gif"), "calibration image gif.jpg holds a GIF image, not a JPEG or PNG"),
        Arguments.of("bmp.png", picture("bmp"), "calibration image bmp.png holds a BMP image, not a JPEG or PNG"),
        Arguments.of("text.png", "a text file, not a picture\n".getBytes(StandardCharsets.UTF_8),
            "calibration image text.png holds text, not a JPEG or PNG image"),
        Arguments.of("empty.jpg", new byte[0], "calibration image empty.jpg is empty, not a JPEG or PNG image"),
        Arguments.of("noise.jpg", new byte[] {1, 2, 3, 4, (byte) 0xff, 0},
            "calibration image noise.jpg is not a JPEG or PNG image"),
        // cut in its pixels: the JDK's decoder only warns and fills the rest with grey
        Arguments.of("cut.jpg", Arrays.copyOf(jpeg, jpeg.length * 7 / 10),
            "calibration image cut.jpg is a truncated or damaged JPEG: it cannot be decoded whole"),
        // cut in its headers: the decoder throws
        Arguments.of("head.jpg", Arrays.copyOf(jpeg, 200),
            "calibration image head.jpg is a truncated or damaged JPEG: it cannot be decoded whole"),
        Arguments.of("cut.png", Arrays.copyOf(png, png.length * 7 / 10),
            "calibration image cut.png is a truncated or damaged PNG: it cannot be decoded whole"));
  }

  /**
   * An image is judged by its content, not its name: what it holds instead of a JPEG or PNG, or that it is cut short,
   * is a 400 / exit 2 naming the file, found when the folder is opened or when the image is decoded.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("notWhatTheNameSays")
  void anImageThatIsNotWhatItsNameSaysIsNamedWithWhatItHolds(String name, byte[] bytes, String message)
      throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("images"));
    Files.write(dir.resolve(name), bytes);
    ImagePreprocessing pre = new ImagePreprocessing(8, 8, ImagePreprocessing.Layout.NCHW, MEAN, STD, 1 / 255.0);
    List<ModelInput> inputs = List.of(new ModelInput("x", ElementType.FLOAT, new long[] {1, 3, 8, 8}));
    assertThatThrownBy(() -> CalibrationFiles.open(dir, pre).sample(0, inputs))
        .isInstanceOfSatisfying(UserFacingException.class, e -> {
          assertThat(e.kind()).isEqualTo(UserFacingException.Kind.BAD_REQUEST);
          assertThat(e.error()).isEqualTo("unreadable_image");
        })
        .hasMessage(message);
  }

  /** What works keeps working: a PNG named .jpg is read as the PNG it is. */
  @Test
  void aPngNamedJpgIsReadByItsContent() throws Exception {
    Path f = tmp.resolve("png.jpg");
    Files.write(f, picture("png"));
    ImagePreprocessing pre = new ImagePreprocessing(8, 8, ImagePreprocessing.Layout.NCHW, MEAN, STD, 1 / 255.0);
    HostTensor t = new ImageCalibrationSet(List.of(f), pre)
        .sample(0, List.of(new ModelInput("x", ElementType.FLOAT, new long[] {1, 3, 8, 8}))).get("x");
    assertThat(t.shape()).containsExactly(1, 3, 8, 8);
  }
}
