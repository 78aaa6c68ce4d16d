package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quantize and fp16 end to end through the command line: output files, JSON, progress on stderr, exit codes. */
class QuantizeCommandTest {

  @TempDir Path tmp;

  @Test
  void quantizeWritesTheModelAndReportsAccuracyAsJson() throws Exception {
    Path out = tmp.resolve("m.int8.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("classification_mobilenet_v2"),
        "--synthetic", "6", "--method", "percentile", "--out", out.toString(), "--threads", "2", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(out).isRegularFile();
    JsonNode j = Json.mapper().readTree(r.out());
    assertThat(j.get("caveat").asText()).isEqualTo("scales from random data: timing only");
    assertThat(j.get("method").asText()).isEqualTo("percentile 99.99");
    assertThat(j.at("/accuracy/outputs/0/name").asText()).isEqualTo("logits");
    assertThat(j.at("/accuracy/outputs/0/cosineMin").asDouble()).isGreaterThan(0.99);
    assertThat(r.err()).contains("calibrating 6/6");
    // the static checker's Q/DQ rules on the written model, per release
    assertThat(j.get("explicitQuantization")).isNotEmpty();
    for (JsonNode v : j.get("explicitQuantization")) {
      boolean v7 = v.get("tensorrt").asText().startsWith("7.");
      assertThat(v.get("mode").asText()).isEqualTo(v7 ? "scale_layers" : "explicit");
      assertThat(v.get("verdict").asText()).as(v.toString()).isEqualTo(v7 ? "incompatible" : "compatible");
    }

    // check of the Q/DQ model reports the same verdict, in text and JSON
    CheckCommandTest.Run check = CheckCommandTest.run("check", out.toString());
    assertThat(check.out()).contains("explicit quantization: compatible: 8.0, ")
        .contains("Q/DQ as scale layers, no INT8 from the scales: incompatible: 7.0")
        .contains("INT8 builds  INT8 (Q/DQ, scales from random data: timing only) where the release reads the Q/DQ")
        .doesNotContain("calibrated");
    CheckCommandTest.Run checkJson = CheckCommandTest.run("check", out.toString(), "--trt", "8.6", "--json");
    JsonNode cj = Json.mapper().readTree(checkJson.out());
    assertThat(cj.at("/explicitQuantization/0/tensorrt").asText()).isEqualTo("8.6");
    assertThat(cj.at("/explicitQuantization/0/verdict").asText()).isEqualTo("compatible");
  }

  @Test
  void checkOfAModelWithoutQdqHasNoExplicitQuantizationVerdict() throws Exception {
    CheckCommandTest.Run check = CheckCommandTest.run("check", CheckCommandTest.model("segmentation"), "--json");
    assertThat(Json.mapper().readTree(check.out()).has("explicitQuantization")).isFalse();
  }

  @Test
  void sensitivityRanksEveryLayerAndWritesTheChosenModel() throws Exception {
    Path out = tmp.resolve("s.int8.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("segmentation"),
        "--synthetic", "6", "--method", "minmax", "--out", out.toString(), "--threads", "2", "--sensitivity",
        "--target-error", "0.001", "--budget", "10m", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(out).isRegularFile();
    JsonNode j = Json.mapper().readTree(r.out());
    assertThat(j.get("complete").asBoolean()).isTrue();
    assertThat(j.get("ranking").size()).isEqualTo(j.get("layers").asInt()).isPositive();
    assertThat(j.get("metric").asText()).startsWith("1 - cosine similarity");
    assertThat(j.at("/model/output").asText()).isEqualTo(out.toString());
    assertThat(j.get("targetMet").asBoolean()).isEqualTo(j.get("error").asDouble() <= 0.001);
    assertThat(j.get("mode").asText()).isEqualTo("one-at-a-time");
    assertThat(r.err()).contains("ranking layers one-at-a-time " + j.get("layers").asInt() + "/"
        + j.get("layers").asInt() + " (budget left ");
    assertThat(j.get("budgetCuts").isEmpty()).as("nothing cut by a 10 min budget").isTrue();
    assertThat(j.get("remeasured").asBoolean()).isTrue();

    CheckCommandTest.Run text = CheckCommandTest.run("quantize", CheckCommandTest.model("segmentation"),
        "--synthetic", "6", "--out", tmp.resolve("t.int8.onnx").toString(), "--threads", "2", "--sensitivity");
    assertThat(text.exit()).as(text.err()).isZero();
    assertThat(text.out()).contains("sensitivity  one-at-a-time: ").contains("  rank  error")
        .contains("chosen       ").contains("error measured on the written model")
        .contains("explicit quantization: compatible");
  }

  /**
   * A budget too short for the whole analysis (1 s for MobileNetV2's 65 layers and 2,000 calibration samples): the
   * text output lists what it cut, and the chosen model's error is the one measured while choosing.
   */
  @Test
  void aShortBudgetSaysWhatItCut() throws Exception {
    Path out = tmp.resolve("short.int8.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("classification_mobilenet_v2"),
        "--synthetic", "2000", "--eval-samples", "2", "--out", out.toString(), "--threads", "2", "--sensitivity",
        "--budget", "1s");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("budget cut   calibration: \\d+ of 2000 samples \\(the scales come from those\\)")
        .contains("budget cut   while ranking: ").contains("budget cut   final run of the written model skipped (")
        .contains("error measured on the same graph while choosing")
        .containsPattern("calibration  .*, \\d+ sample\\(s\\) used")
        .containsPattern("note         calibration stopped by the time budget after \\d+ of 2000 samples");
    assertThat(r.err()).contains("(budget left ");
    assertThat(out).isRegularFile();
  }

  @Test
  void leaveOneOutRanksByTheErrorRemovedAndABadModeExitsTwo() throws Exception {
    Path out = tmp.resolve("loo.int8.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("segmentation"),
        "--synthetic", "6", "--method", "minmax", "--out", out.toString(), "--threads", "2", "--sensitivity",
        "--sensitivity-mode", "leave-one-out", "--target-error", "0.001", "--budget", "10m");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("sensitivity  leave-one-out: ")
        .contains("  rank  error removed  error       layer kept in FP32 (op)");
    assertThat(r.err()).contains("ranking layers leave-one-out ");
    assertThat(out).isRegularFile();

    Path never = tmp.resolve("never.int8.onnx");
    CheckCommandTest.Run bad = CheckCommandTest.run("quantize", CheckCommandTest.model("segmentation"),
        "--synthetic", "2", "--out", never.toString(), "--sensitivity", "--sensitivity-mode", "random");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--sensitivity-mode must be one-at-a-time or leave-one-out, got 'random'");
    assertThat(never).doesNotExist();
  }

  @Test
  void aBudgetThatIsNotADurationExitsTwoAndWritesNothing() throws Exception {
    Path out = tmp.resolve("never.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("segmentation"),
        "--synthetic", "2", "--out", out.toString(), "--sensitivity", "--budget", "soon");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--budget must be a duration such as 90s");
    assertThat(out).doesNotExist();
    assertThat(QuantizeCommand.parseBudget("90").toSeconds()).isEqualTo(90);
    assertThat(QuantizeCommand.parseBudget("2m").toSeconds()).isEqualTo(120);
    assertThat(QuantizeCommand.parseBudget("500ms").toMillis()).isEqualTo(500);
  }

  @Test
  void fp16PrintsWhatStayedFp32() {
    Path out = tmp.resolve("t.fp16.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("fp16", CheckCommandTest.model("transformer_encoder"),
        "--synthetic", "4", "--shapes", "tokens:1x8x32", "--out", out.toString(), "--threads", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("kept FP32").contains("Softmax").contains("cosine min")
        .contains("caveat       FP32 keep list and accuracy from random data: timing only")
        .as("FP16 has no scales").doesNotContain("scales");
    assertThat(out).isRegularFile();
  }

  @Test
  void fp16ComparesTheNamedBoxOutputByIou() throws Exception {
    Path out = tmp.resolve("d.fp16.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("fp16", CheckCommandTest.model("detection_nms_nonzero"),
        "--synthetic", "8", "--boxes", "boxes", "--out", out.toString(), "--threads", "2", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode boxes = null;
    for (JsonNode o : Json.mapper().readTree(r.out()).at("/accuracy/outputs")) {
      if (o.get("name").asText().equals("boxes")) {
        boxes = o;
      }
    }
    assertThat(boxes).isNotNull();
    assertThat(boxes.get("meanIou").asDouble()).isGreaterThan(0.5);
    assertThat(boxes.get("iouAtLeastHalf").isNumber()).isTrue();
    JsonNode j = Json.mapper().readTree(r.out());
    assertThat(j.get("caveat").asText()).isEqualTo("FP32 keep list and accuracy from random data: timing only");
    assertThat(j.get("statistics").asText() + j.at("/accuracy/data").asText()).doesNotContain("scales");
    CheckCommandTest.Run text = CheckCommandTest.run("fp16", CheckCommandTest.model("detection_nms_nonzero"),
        "--synthetic", "4", "--boxes", "boxes", "--out", tmp.resolve("t.fp16.onnx").toString(), "--threads", "2");
    assertThat(text.out()).containsPattern("boxes .*mean IoU \\d\\.\\d{4}  IoU>=0\\.5 ");

    Path never = tmp.resolve("never.fp16.onnx");
    CheckCommandTest.Run bad = CheckCommandTest.run("fp16", CheckCommandTest.model("detection_nms_nonzero"),
        "--synthetic", "2", "--boxes", "anchors", "--out", never.toString());
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--boxes 'anchors' is not an output of the model");
    assertThat(never).doesNotExist();
  }

  @Test
  void wrongCalibrationArraysExitTwoNamingTheInputAndShape() throws Exception {
    Path calib = Files.createDirectory(tmp.resolve("calib"));
    NpyFormat.write(calib.resolve("a.npy"), HostTensor.ofFloats("a", new long[] {1, 3, 32, 32}, new float[3 * 32 * 32]));
    Path out = tmp.resolve("never.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("classification_mobilenet_v2"),
        "--calib", calib.toString(), "--out", out.toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("input 'image' has shape 1x3x32x32 but the model expects ?x3x64x64");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("calib");
    }
  }

  /** An image is judged by its content: a GIF named .jpg exits 2 naming the file and what it holds, writing nothing. */
  @Test
  void anImageThatIsNotWhatItsNameSaysExitsTwo() throws Exception {
    Path calib = Files.createDirectory(tmp.resolve("images"));
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    assertThat(ImageIO.write(img, "gif", calib.resolve("cat.jpg").toFile())).isTrue();
    Path out = tmp.resolve("never.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("fp16", CheckCommandTest.model("classification_mobilenet_v2"),
        "--calib", calib.toString(), "--out", out.toString(), "--threads", "2");
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip()).isEqualTo("error: calibration image cat.jpg holds a GIF image, not a JPEG or PNG");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("images");
    }
  }

  /** The service's checks, in the command line's words: each names the flag given, and nothing is written. */
  @Test
  void optionErrorsNameTheFlag() throws Exception {
    Path calib = Files.createDirectory(tmp.resolve("images"));
    String model = CheckCommandTest.model("classification_mobilenet_v2");
    String out = tmp.resolve("never.onnx").toString();
    Map<String, List<String>> runs = new LinkedHashMap<>();
    runs.put("--synthetic takes a sample count between 1 and 100000, got 0", List.of("--synthetic", "0"));
    runs.put("--eval-samples must be at least 1, got 0", List.of("--synthetic", "2", "--eval-samples", "0"));
    runs.put("--percentile must be above 0 and at most 100, got 101.0",
        List.of("--synthetic", "2", "--percentile", "101"));
    runs.put("every --std value must be above 0", List.of("--calib", calib.toString(), "--std", "0,1,1"));
    runs.put("--size must be positive, e.g. 224x224", List.of("--calib", calib.toString(), "--size", "0x4"));
    runs.put("--layout 'NWHC' is neither NCHW nor NHWC", List.of("--calib", calib.toString(), "--layout", "NWHC"));
    for (Map.Entry<String, List<String>> e : runs.entrySet()) {
      List<String> args = new ArrayList<>(List.of("quantize", model, "--out", out));
      args.addAll(e.getValue());
      CheckCommandTest.Run r = CheckCommandTest.run(args.toArray(String[]::new));
      assertThat(r.exit()).as(r.err()).isEqualTo(2);
      assertThat(r.err().strip()).isEqualTo("error: " + e.getKey());
    }
    assertThat(Path.of(out)).doesNotExist();
  }

  @Test
  void calibrationIsRequired() {
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("classification_mobilenet_v2"),
        "--out", tmp.resolve("x.onnx").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--calib PATH, or --synthetic N");
  }
}
