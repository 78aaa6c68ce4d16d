package dev.trtcompat.quantize;

import dev.trtcompat.reference.InputShapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Not a test: the measurement behind docs/quantization.md's table of bounds asserted by {@link QuantizerTest}, run by
 * bench/quantize/accuracy-table.sh. It makes the same requests as the test, on the same data (the same npz files
 * from {@link QuantizeFixtures}, the same random seeds), and prints the figures the test bounds, one table row per
 * line. Sits in the test tree to reuse the test's fixtures; surefire does not run it (no Test in its name).
 * Usage: AccuracyTable THREADS
 */
public final class AccuracyTable {

  private AccuracyTable() {}

  public static void main(String[] args) throws IOException {
    int threads = Integer.parseInt(args[0]);
    Path tmp = Files.createTempDirectory("accuracy-table");
    try {
      Path calib = Files.createDirectory(tmp.resolve("calib"));
      for (int i = 0; i < 10; i++) { // as QuantizerTest.mobilenetFromNpzFilesWithEveryMethod
        QuantizeFixtures.npz(calib.resolve(String.format("sample%02d.npz", i)),
            Map.of("image", QuantizeFixtures.randomFloats("image", 100 + i, 1, 3, 64, 64)));
      }
      StringBuilder cosines = new StringBuilder();
      StringBuilder top5 = new StringBuilder();
      for (RangeMethod m : RangeMethod.values()) {
        QuantizeResult r = quantize(tmp, threads, "classification_mobilenet_v2", CalibrationFiles.open(calib, null), m,
            null);
        OutputAccuracy logits = r.accuracy().outputs().get(0);
        cosines.append(cosines.isEmpty() ? "" : ", ").append(cos(logits.cosineMin()));
        top5.append(top5.isEmpty() ? "" : ", ").append(percent(logits.top5Agreement()));
      }
      row("classification_mobilenet_v2", "8 npz calib / 2 held out", "minmax, percentile, entropy",
          cosines + " (top-5 " + top5 + ")");
      row("classification_mobilenet_v2", "12 random", "percentile", cos(quantize(tmp, threads,
          "classification_mobilenet_v2", new SyntheticCalibrationSet(12, 1, InputShapes.NONE), RangeMethod.PERCENTILE,
          null).accuracy().outputs().get(0).cosineMin()));
      row("transformer_encoder", "8 random", "percentile", cos(quantize(tmp, threads, "transformer_encoder",
          new SyntheticCalibrationSet(8, 1, InputShapes.parse("tokens:2x16x32")), RangeMethod.PERCENTILE, null)
          .accuracy().outputs().get(0).cosineMin()));
      row("segmentation", "8 random", "entropy", cos(quantize(tmp, threads, "segmentation",
          new SyntheticCalibrationSet(8, 1, InputShapes.NONE), RangeMethod.ENTROPY, null)
          .accuracy().outputs().get(0).cosineMin()));
      OutputAccuracy boxes = quantize(tmp, threads, "detection_nms_nonzero",
          new SyntheticCalibrationSet(8, 1, InputShapes.NONE), RangeMethod.PERCENTILE, "boxes").accuracy().outputs()
          .stream().filter(o -> o.name().equals("boxes")).findFirst().orElseThrow();
      row("detection_nms_nonzero", "8 random", "percentile", String.format(Locale.ROOT, "mean IoU %.4f",
          boxes.meanIou()));
    } finally {
      try (Stream<Path> files = Files.walk(tmp)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  /** As QuantizerTest.quantize, with the thread count of the run. */
  private static QuantizeResult quantize(
      Path tmp, int threads, String model, CalibrationSet data, RangeMethod m, String boxes) {
    Path out = tmp.resolve(model + "." + m.wireName() + ".int8.onnx");
    return new Quantizer().quantize(
        QuantizeRequest.of(QuantizeFixtures.EXPORTS.resolve(model + ".onnx"), data, out).withMethod(m, 99.99)
            .withBoxesOutput(boxes).withThreads(threads),
        Progress.NONE);
  }

  private static void row(String model, String data, String method, String measured) {
    System.out.println(String.join(" | ", List.of(model, data, method, measured)));
  }

  private static String cos(Double c) {
    return String.format(Locale.ROOT, "%.5f", c);
  }

  private static String percent(Double share) {
    return share == null ? "n/a" : String.format(Locale.ROOT, "%.0f%%", share * 100);
  }
}
