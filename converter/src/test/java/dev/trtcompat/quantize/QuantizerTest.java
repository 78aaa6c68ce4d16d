package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.json.Json;
import dev.trtcompat.reference.InputShapes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizerTest {

  static final Path EXPORTS =
      Path.of(System.getProperty("trtcompat.repo", ".."), "compat-matrix/src/test/resources/pytorch-exports");

  @TempDir Path tmp;

  @Test
  void mobilenetSynthetic() throws Exception {
    Path out = tmp.resolve("m.int8.onnx");
    for (RangeMethod m : RangeMethod.values()) {
      QuantizeResult r = new Quantizer().quantize(
          QuantizeRequest.of(EXPORTS.resolve("classification_mobilenet_v2.onnx"), new SyntheticCalibrationSet(16, 1, InputShapes.NONE), out)
              .withMethod(m, 99.99),
          Progress.NONE);
      System.out.println(m + " " + Json.pretty().writeValueAsString(r.accuracy()) + " " + r.seconds() + " " + r.activationsQuantized() + " " + r.weightsQuantized());
    }
    assertThat(out).exists();
  }
}
