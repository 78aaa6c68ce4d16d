package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
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
  }

  @Test
  void fp16PrintsWhatStayedFp32() {
    Path out = tmp.resolve("t.fp16.onnx");
    CheckCommandTest.Run r = CheckCommandTest.run("fp16", CheckCommandTest.model("transformer_encoder"),
        "--synthetic", "4", "--shapes", "tokens:1x8x32", "--out", out.toString(), "--threads", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("kept FP32").contains("Softmax").contains("cosine min");
    assertThat(out).isRegularFile();
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

  @Test
  void calibrationIsRequired() {
    CheckCommandTest.Run r = CheckCommandTest.run("quantize", CheckCommandTest.model("classification_mobilenet_v2"),
        "--out", tmp.resolve("x.onnx").toString());
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--calib PATH, or --synthetic N");
  }
}
