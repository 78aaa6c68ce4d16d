package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 7.1 and 7.2 accept other Resize coordinate modes with {@code sizes} than with {@code scales}
 * (builtin_op_importers.cpp 7.1@7994a464 lines 2584/2588 with sizes, 2606/2610 with scales; 7.2@803e699a lines
 * 3034/3038, 3056/3060): one accepted and one rejected mode per mode and form, each in the general 7.x set.
 */
class ResizeCoordinateFormsTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();
  static final String RULE = "attribute_values.coordinate_transformation_mode";

  /** Opset-11 Resize of a static 1x1x4x4 input to 8x8; with sizes, scales is the empty tensor opset 11 needs. */
  static OnnxModel resize(String mode, String coordinates, boolean sizes) {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 1L, 4L, 4L)).addOutput(tensor("y", FLOAT, 1L, 1L, 8L, 8L))
        .addInitializer(floats("roi", FLOAT, 0))
        .addInitializer(sizes ? floats("scales", FLOAT, 0) : floats("scales", FLOAT, 4));
    String[] inputs = sizes ? in("x", "roi", "scales", "sizes") : in("x", "roi", "scales");
    if (sizes) {
      g.addInitializer(int64s("sizes", 1, 1, 8, 8));
    }
    g.addNode(node("Resize", "up", inputs, in("y"), attr("mode", mode),
        attr("coordinate_transformation_mode", coordinates), attr("nearest_mode", "floor")));
    return read(model(11, g).build());
  }

  @ParameterizedTest(name = "{0} {1} with {2}: {3} accepted, {4} rejected")
  @CsvSource({
    "7.1, nearest, sizes, align_corners, half_pixel",
    "7.1, nearest, scales, asymmetric, align_corners",
    "7.1, linear, sizes, align_corners, asymmetric",
    "7.1, linear, scales, asymmetric, align_corners",
    "7.2, nearest, sizes, align_corners, pytorch_half_pixel",
    "7.2, nearest, scales, asymmetric, half_pixel",
    "7.2, linear, sizes, pytorch_half_pixel, asymmetric",
    "7.2, linear, scales, half_pixel, align_corners",
  })
  void eachFormHasItsOwnCoordinateModes(String release, String mode, String form, String accepted, String rejected) {
    boolean sizes = form.equals("sizes");
    ReleaseResult ok = CHECKER.check(resize(mode, accepted, sizes), List.of(release)).results().get(0);
    assertThat(ok.verdict().accepts()).as(ok.findings().toString()).isTrue();
    assertThat(ok.findings()).noneMatch(f -> f.rule().equals(RULE));

    ReleaseResult bad = CHECKER.check(resize(mode, rejected, sizes), List.of(release)).results().get(0);
    assertThat(bad.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(bad.findings()).filteredOn(f -> f.rule().equals(RULE)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).contains("'" + rejected + "'").contains("mode=" + mode)
          .contains(sizes ? "with input 3 given" : "without input 3");
    });
  }
}
