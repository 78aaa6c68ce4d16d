package dev.trtcompat.cli;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.quantize.CalibrationFiles;
import dev.trtcompat.quantize.CalibrationSet;
import dev.trtcompat.quantize.ImagePreprocessing;
import dev.trtcompat.quantize.SyntheticCalibrationSet;
import dev.trtcompat.reference.InputShapes;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The calibration-data options shared by {@code quantize} and {@code fp16} (a picocli mixin). */
final class CalibrationOptions {

  @Option(names = "--calib", paramLabel = "PATH",
      description = ".npy/.npz file, a folder of them (arrays named after the inputs), or a folder of JPEG/PNG images")
  Path calib;

  @Option(names = "--synthetic", paramLabel = "N",
      description = "N random samples instead, for timing only: quantize takes its scales from them, fp16 its FP32"
          + " keep list")
  Integer synthetic;

  @Option(names = "--seed", defaultValue = "42", description = "seed of --synthetic samples (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--shapes", paramLabel = "SPEC",
      description = "shapes of dynamic inputs for --synthetic, e.g. images:4x3x224x224 (dynamic dims not given are 1)")
  String shapes;

  @Option(names = "--size", paramLabel = "WxH", description = "images: resize to WIDTHxHEIGHT (default: the model's input size)")
  String size;

  @Option(names = "--layout", defaultValue = "NCHW", description = "images: NCHW or NHWC (default: ${DEFAULT-VALUE})")
  String layout;

  @Option(names = "--mean", defaultValue = "0,0,0", description = "images: per-channel mean, R,G,B (default: ${DEFAULT-VALUE})")
  String mean;

  @Option(names = "--std", defaultValue = "1,1,1", description = "images: per-channel std, R,G,B (default: ${DEFAULT-VALUE})")
  String std;

  @Option(names = "--scale", defaultValue = "1/255", description = "images: multiply pixel values first (default: ${DEFAULT-VALUE})")
  String scale;

  CalibrationSet open() {
    if ((calib == null) == (synthetic == null)) {
      throw new UserFacingException(
          UserFacingException.Kind.BAD_REQUEST, "calibration_required",
          "give calibration data with --calib PATH, or --synthetic N for random data (timing only); not both");
    }
    if (synthetic != null) {
      return new SyntheticCalibrationSet(synthetic, seed, InputShapes.parse(shapes));
    }
    return CalibrationFiles.open(calib, preprocessing());
  }

  private ImagePreprocessing preprocessing() {
    return ImagePreprocessing.parse(size, layout, mean, std, scale);
  }
}
