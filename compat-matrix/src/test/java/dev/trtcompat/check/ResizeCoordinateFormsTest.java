package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.rules.ReleaseRules;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 7.1 and 7.2 accept other Resize coordinate modes with {@code sizes} than with {@code scales}
 * (builtin_op_importers.cpp 7.1@7994a464 lines 2584/2588 with sizes, 2606/2610 with scales; 7.2@803e699a lines
 * 3034/3038, 3056/3060): one accepted and one rejected mode per mode and form, each in the general 7.x set.
 *
 * <p>A {@code sizes} declared with an empty name ({@code [x, roi, scales, ""]}) is the sizes form to 7.0-8.2,
 * whose importers test {@code inputs.size() == 4} alone (7.1 line 2576, 8.2@f42daeee line 3505) after
 * ModelImporter made the empty name a null input, and the scales form from 8.4 ({@code && !isNullTensor()},
 * 8.4@63d626b6 line 3487).
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

  /** Opset-11 Resize with a {@code sizes} declared empty: [x, roi, scales, ""]; scales an initializer or not. */
  static OnnxModel resizeWithEmptySizes(String mode, String coordinates, boolean scalesInitializer) {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, 1L, 1L, 4L, 4L)).addOutput(tensor("y", FLOAT, 1L, 1L, 8L, 8L))
        .addInitializer(floats("roi", FLOAT, 0));
    if (scalesInitializer) {
      g.addInitializer(floats("scales", FLOAT, 4));
    } else {
      g.addInput(tensor("scales", FLOAT, 4L));
    }
    g.addNode(node("Resize", "up", in("x", "roi", "scales", ""), in("y"), attr("mode", mode),
        attr("coordinate_transformation_mode", coordinates), attr("nearest_mode", "floor")));
    return read(model(11, g).build());
  }

  static final String EMPTY_SIZES = "declared_empty_input.sizes";

  @Test
  void anEmptySizesIsTheSizesFormOn71() {
    // linear align_corners: accepted with sizes (line 2588), rejected with scales (line 2610)
    ReleaseResult r = CHECKER.check(resizeWithEmptySizes("linear", "align_corners", true), List.of("7.1"))
        .results().get(0);
    assertThat(r.findings()).as(r.findings().toString()).noneMatch(f -> f.rule().equals(RULE));
    // linear asymmetric: the other way round, and the message names the declared input
    r = CHECKER.check(resizeWithEmptySizes("linear", "asymmetric", true), List.of("7.1")).results().get(0);
    assertThat(r.findings()).filteredOn(f -> f.rule().equals(RULE)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("'asymmetric'").contains("with input 3 declared"));
  }

  @Test
  void anEmptySizesIsAnErrorOn82AndTheScalesRuleDoesNotApply() {
    ReleaseResult r = CHECKER.check(resizeWithEmptySizes("nearest", "asymmetric", false), List.of("8.2"))
        .results().get(0);
    assertThat(r.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(r.findings()).filteredOn(f -> f.rule().equals(EMPTY_SIZES)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.node()).isEqualTo("up");
      assertThat(f.message()).contains("input 3 ('sizes') with an empty name").contains("TensorRT 8.2");
      assertThat(f.fix()).contains("with 3 inputs");
    });
    // the importer never reaches 'Resize scales must be an initializer!' on the sizes path
    assertThat(r.findings()).noneMatch(f -> f.rule().equals("constant_input.scales"));
  }

  @Test
  void anEmptySizesIsAnErrorExactlyWhereTheImporterCountsInputs() {
    Set<String> byCount = Set.of("7.0", "7.1", "7.2", "8.0", "8.2");
    List<String> releases = CHECKER.knowledgeBase().releases().stream().map(ReleaseRules::release).toList();
    List<ReleaseResult> results = CHECKER.check(resizeWithEmptySizes("nearest", "asymmetric", true), releases)
        .results();
    assertThat(results).hasSize(releases.size()).allSatisfy(r -> {
      boolean flagged = r.findings().stream().anyMatch(f -> f.rule().equals(EMPTY_SIZES));
      assertThat(flagged).as(r.tensorrt() + " " + r.findings()).isEqualTo(byCount.contains(r.tensorrt()));
      if (!byCount.contains(r.tensorrt())) {
        assertThat(r.verdict().accepts()).as(r.tensorrt() + " " + r.findings()).isTrue();
      }
    });
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
          .contains(sizes ? "with input 3 declared" : "without input 3 declared");
    });
  }
}
