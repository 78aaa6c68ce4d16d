package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.reference.HostTensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
