package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.reference.InputShapes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizerTest {

  @TempDir Path tmp;

  QuantizeResult run(String model, CalibrationSet data, RangeMethod m, String boxes) {
    Path out = tmp.resolve(model + "." + m.wireName() + ".int8.onnx");
    QuantizeResult r = new Quantizer().quantize(
        QuantizeRequest.of(QuantizeFixtures.EXPORTS.resolve(model + ".onnx"), data, out).withMethod(m, 99.99)
            .withBoxesOutput(boxes).withThreads(2),
        Progress.NONE);
    System.out.println(model + " " + m + " " + r.accuracy().outputs() + " notes " + r.notes() + " " + r.seconds());
    return r;
  }

  @Test
  void probe() throws Exception {
    run("transformer_encoder", new SyntheticCalibrationSet(8, 1, InputShapes.parse("tokens:2x16x32")), RangeMethod.PERCENTILE, null);
    run("segmentation", new SyntheticCalibrationSet(8, 1, InputShapes.NONE), RangeMethod.PERCENTILE, null);
    run("detection_nms_nonzero", new SyntheticCalibrationSet(8, 1, InputShapes.NONE), RangeMethod.PERCENTILE, "boxes");
    for (RangeMethod m : RangeMethod.values()) {
      run("classification_mobilenet_v2", new SyntheticCalibrationSet(20, 1, InputShapes.NONE), m, null);
    }
  }
}
