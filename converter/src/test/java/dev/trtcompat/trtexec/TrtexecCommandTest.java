package dev.trtcompat.trtexec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.trtexec.TrtexecCommand.ModelInput;
import dev.trtcompat.trtexec.TrtexecCommand.ShapeRange;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TrtexecCommandTest {

  private static final List<ModelInput> STATIC = List.of(new ModelInput("images", List.of(1L, 3L, 224L, 224L)));
  private static final List<ModelInput> DYNAMIC_BATCH = List.of(new ModelInput("x", List.of(-1L, 1L, 28L, 28L)));

  private static TrtexecCommand.Builder at(String release) {
    return TrtexecCommand.builder(TensorRtRelease.parse(release), "/work/model.onnx").inputs(STATIC);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      6.0  | FP32 | trtexec --onnx=/work/model.onnx --explicitBatch --workspace=1024
      7.0  | BEST | trtexec --onnx=/work/model.onnx --explicitBatch --fp16 --int8 --workspace=1024
      7.1  | FP16 | trtexec --onnx=/work/model.onnx --explicitBatch --fp16 --workspace=1024
      7.1  | BEST | trtexec --onnx=/work/model.onnx --explicitBatch --best --workspace=1024
      8.0  | FP16 | trtexec --onnx=/work/model.onnx --fp16 --workspace=1024
      8.2  | INT8 | trtexec --onnx=/work/model.onnx --int8 --workspace=1024
      8.4  | FP16 | trtexec --onnx=/work/model.onnx --fp16 --memPoolSize=workspace:1024
      8.6  | INT8 | trtexec --onnx=/work/model.onnx --int8 --memPoolSize=workspace:1024
      9.3  | FP32 | trtexec --onnx=/work/model.onnx --memPoolSize=workspace:1024
      10.0 | FP16 | trtexec --onnx=/work/model.onnx --fp16 --memPoolSize=workspace:1024
      10.3 | FP16 | trtexec --onnx=/work/model.onnx --fp16 --memPoolSize=workspace:1024M
      10.16| BEST | trtexec --onnx=/work/model.onnx --best --memPoolSize=workspace:1024M
      """)
  void precisionAndWorkspacePerRelease(String release, Precision precision, String expected) {
    TrtexecCommand cmd = at(release).precision(precision).workspaceMiB(1024).build();
    assertThat(cmd.commandLine()).isEqualTo(expected.strip());
    assertThat(cmd.arguments()).isEqualTo(Arrays.asList(expected.strip().split(" ")));
  }

  @Test
  void int8WithoutCalibrationIsMarkedTimingOnly() {
    TrtexecCommand cmd = at("8.6").precision(Precision.INT8).build();
    assertThat(cmd.timingOnly()).isTrue();
    assertThat(cmd.accuracyCaveat()).startsWith("timing only: random scales, accuracy not representative");
    assertThat(at("8.6").precision(Precision.BEST).build().timingOnly()).isTrue();
    assertThat(at("8.6").precision(Precision.FP16).build().timingOnly()).isFalse();
  }

  @Test
  void int8WithCalibrationCachePassesIt() {
    TrtexecCommand cmd = at("7.1").precision(Precision.INT8).calibrationCache("/work/calib.cache").build();
    assertThat(cmd.arguments()).containsExactly("trtexec", "--onnx=/work/model.onnx", "--explicitBatch", "--int8",
        "--calib=/work/calib.cache");
    assertThat(cmd.timingOnly()).isFalse();
  }

  @Test
  void quantizedModelNeedsNoCalibration() {
    TrtexecCommand cmd = at("8.6").precision(Precision.INT8).quantizedModel(true).calibrationCache("/c").build();
    assertThat(cmd.arguments()).containsExactly("trtexec", "--onnx=/work/model.onnx", "--int8");
    assertThat(cmd.timingOnly()).isFalse();
    assertThat(cmd.notes()).anySatisfy(n -> assertThat(n).contains("Q/DQ model carries its own scales"));
  }

  /** A Q/DQ model's INT8 cell per release: --int8 up to 8.6, --stronglyTyped (without --int8) from 9.0 on. */
  @Test
  void quantizedModelIsBuiltStronglyTypedWhereTheReleaseHasIt() {
    for (String release : List.of("8.0", "8.2", "8.4", "8.5", "8.6")) {
      assertThat(at(release).precision(Precision.INT8).quantizedModel(true).build().arguments())
          .as(release).containsExactly("trtexec", "--onnx=/work/model.onnx", "--int8");
    }
    for (String release : List.of("9.0", "9.3", "10.0", "10.3", "10.8", "10.14", "11.0")) {
      TrtexecCommand cmd = at(release).precision(Precision.INT8).quantizedModel(true).build();
      assertThat(cmd.arguments()).as(release).containsExactly("trtexec", "--onnx=/work/model.onnx", "--stronglyTyped");
      assertThat(cmd.timingOnly()).isFalse();
    }
    assertThat(at("10.3").precision(Precision.INT8).quantizedModel(true).build().notes())
        .anySatisfy(n -> assertThat(n).contains("--stronglyTyped, offered from 9.0"));
    // Without Q/DQ nodes INT8 stays --int8 with placeholder scales, whatever the release.
    TrtexecCommand placeholder = at("10.3").precision(Precision.INT8).build();
    assertThat(placeholder.arguments()).containsExactly("trtexec", "--onnx=/work/model.onnx", "--int8");
    assertThat(placeholder.timingOnly()).isTrue();
    // Other precisions of a Q/DQ model keep their flags.
    assertThat(at("10.3").precision(Precision.FP16).quantizedModel(true).build().arguments()).contains("--fp16");
  }

  @Test
  void stronglyTypedOnlyWhereOffered() {
    assertThat(at("10.3").stronglyTyped(true).build().arguments()).contains("--stronglyTyped");
    assertThat(at("9.0").stronglyTyped(true).build().arguments()).contains("--stronglyTyped");
    assertThatThrownBy(() -> at("8.6").stronglyTyped(true).build())
        .isInstanceOf(UserFacingException.class)
        .hasMessageContaining("has no --stronglyTyped (added in 9.0)");
    assertThatThrownBy(() -> at("10.3").stronglyTyped(true).precision(Precision.FP16).build())
        .hasMessageContaining("strongly typed build takes its types from the model");
  }

  @Test
  void tensorRt11HasNoPrecisionFlags() {
    assertThat(at("11.0").build().arguments()).containsExactly("trtexec", "--onnx=/work/model.onnx");
    assertThat(at("11.0").precision(Precision.INT8).quantizedModel(true).build().arguments()).contains("--stronglyTyped");
    assertThatThrownBy(() -> at("11.0").precision(Precision.FP16).build())
        .isInstanceOfSatisfying(UserFacingException.class,
            u -> assertThat(u.detail()).contains("removed --fp16/--int8/--best"));
  }

  @Test
  void dynamicInputsGetShapesFromTheUser() {
    TrtexecCommand cmd = TrtexecCommand.builder(TensorRtRelease.parse("8.6"), "m.onnx")
        .inputs(List.of(new ModelInput("x", List.of(-1L, 1L, 28L, 28L)), new ModelInput("scale", List.of(1L))))
        .shape("x", new ShapeRange(List.of(1L, 1L, 28L, 28L), List.of(4L, 1L, 28L, 28L), List.of(16L, 1L, 28L, 28L)))
        .build();
    assertThat(cmd.arguments()).containsExactly("trtexec", "--onnx=m.onnx",
        "--minShapes=x:1x1x28x28,scale:1", "--optShapes=x:4x1x28x28,scale:1", "--maxShapes=x:16x1x28x28,scale:1");
  }

  @Test
  void staticModelsGetNoShapeFlags() {
    assertThat(at("10.3").build().arguments()).noneMatch(a -> a.contains("Shapes"));
  }

  @Test
  void dynamicInputWithoutShapesAsksForThemByName() {
    assertThatThrownBy(() -> TrtexecCommand.builder(TensorRtRelease.parse("10.3"), "m.onnx").inputs(DYNAMIC_BATCH).build())
        .isInstanceOfSatisfying(UserFacingException.class, u -> {
          assertThat(u.kind()).isEqualTo(UserFacingException.Kind.INVALID_INPUT);
          assertThat(u.detail()).isEqualTo("Input 'x' has dynamic dimensions (?x1x28x28); give its min, opt and max "
              + "shapes (for example x min=1x1x28x28 opt=1x1x28x28 max=8x1x28x28).");
        });
  }

  @Test
  void shapesAreValidatedAgainstTheModel() {
    var b = TrtexecCommand.builder(TensorRtRelease.parse("10.3"), "m.onnx").inputs(DYNAMIC_BATCH);
    assertThatThrownBy(() -> b.shape("y", ShapeRange.fixed(List.of(1L))).build())
        .hasMessage("The model has no input named 'y'; its inputs are x.");
    var c = TrtexecCommand.builder(TensorRtRelease.parse("10.3"), "m.onnx").inputs(DYNAMIC_BATCH);
    assertThatThrownBy(() -> c.shape("x", ShapeRange.fixed(List.of(1L, 3L, 28L, 28L))).build())
        .hasMessageContaining("axis 1 is fixed at 1");
    var d = TrtexecCommand.builder(TensorRtRelease.parse("10.3"), "m.onnx").inputs(DYNAMIC_BATCH);
    assertThatThrownBy(() -> d.shape("x", new ShapeRange(List.of(8L, 1L, 28L, 28L), List.of(4L, 1L, 28L, 28L),
        List.of(16L, 1L, 28L, 28L))).build())
        .hasMessageContaining("need 1 <= min <= opt <= max; got 8, 4, 16");
  }

  @Test
  void tensorNamesWithColonsAreQuotedFrom7AndRejectedIn6() {
    List<ModelInput> tf = List.of(new ModelInput("x:0", List.of(-1L, 3L)));
    ShapeRange r = new ShapeRange(List.of(1L, 3L), List.of(4L, 3L), List.of(8L, 3L));
    TrtexecCommand cmd = TrtexecCommand.builder(TensorRtRelease.parse("7.1"), "m.onnx").inputs(tf).shape("x:0", r).build();
    assertThat(cmd.arguments()).contains("--minShapes='x:0':1x3");
    assertThat(cmd.commandLine()).contains("'--minShapes='\\''x:0'\\'':1x3'");
    assertThatThrownBy(() -> TrtexecCommand.builder(TensorRtRelease.parse("6.0"), "m.onnx").inputs(tf).shape("x:0", r).build())
        .hasMessageContaining("splits shape options at the first ':'");
  }

  @Test
  void artifactsAndExportsFollowTheRelease() {
    TrtexecCommand modern = at("10.3").saveEngine("/out/model.plan").timingCacheFile("/out/timing.cache")
        .exportTimes("/out/times.json").exportProfile("/out/profile.json").exportLayerInfo("/out/layers.json").build();
    assertThat(modern.arguments()).containsExactly("trtexec", "--onnx=/work/model.onnx", "--saveEngine=/out/model.plan",
        "--timingCacheFile=/out/timing.cache", "--exportTimes=/out/times.json", "--exportProfile=/out/profile.json",
        "--exportLayerInfo=/out/layers.json", "--profilingVerbosity=detailed");

    TrtexecCommand old = at("7.2").saveEngine("/out/model.plan").timingCacheFile("/out/timing.cache")
        .exportTimes("/out/times.json").exportLayerInfo("/out/layers.json").build();
    assertThat(old.arguments()).containsExactly("trtexec", "--onnx=/work/model.onnx", "--explicitBatch",
        "--saveEngine=/out/model.plan", "--exportTimes=/out/times.json");
    assertThat(old.notes())
        .contains("--timingCacheFile skipped: TensorRT 7.2 does not offer it (added in 8.0).",
            "--exportLayerInfo skipped: TensorRT 7.2 does not offer it (added in 8.2).");
  }

  @Test
  void inputsAndOutputsForTheAccuracyCheckFollowTheReleaseAndNeedInference() {
    TrtexecCommand modern = at("10.3").loadInputs("x:/out/inputs/x.bin").exportOutput("/out/outputs.json").build();
    assertThat(modern.arguments()).containsExactly("trtexec", "--onnx=/work/model.onnx",
        "--loadInputs=x:/out/inputs/x.bin", "--exportOutput=/out/outputs.json");

    TrtexecCommand old = at("6.0").loadInputs("x:/out/inputs/x.bin").exportOutput("/out/outputs.json").build();
    assertThat(old.arguments()).noneMatch(a -> a.startsWith("--loadInputs") || a.startsWith("--exportOutput"));
    assertThat(old.notes()).contains("--loadInputs skipped: TensorRT 6.0 does not offer it (added in 7.0).",
        "--exportOutput skipped: TensorRT 6.0 does not offer it (added in 7.0).");

    TrtexecCommand buildOnly = at("10.3").loadInputs("x:/out/inputs/x.bin").exportOutput("/out/outputs.json")
        .skipInference(true).build();
    assertThat(buildOnly.arguments()).noneMatch(a -> a.startsWith("--loadInputs") || a.startsWith("--exportOutput"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"7.1, --buildOnly", "8.5, --buildOnly", "8.6, --skipInference", "10.3, --skipInference"})
  void skipInferenceUsesTheReleasesName(String release, String flag) {
    assertThat(at(release).skipInference(true).build().arguments()).endsWith(flag);
  }

  @Test
  void precisionFlagsAreNotedAsDeprecatedFrom10_14() {
    assertThat(at("10.14").precision(Precision.FP16).build().notes())
        .anySatisfy(n -> assertThat(n).contains("deprecates --fp16/--int8/--best"));
    assertThat(at("10.13").precision(Precision.FP16).build().notes()).isEmpty();
  }

  @Test
  void releasesParseAndCompare() {
    assertThat(TensorRtRelease.parse("10.16.1.4")).isEqualTo(TensorRtRelease.of(10, 16));
    assertThat(TensorRtRelease.parse("8.6")).isLessThan(TensorRtRelease.parse("10.0"));
    assertThatThrownBy(() -> TensorRtRelease.parse("eight")).isInstanceOf(UserFacingException.class);
    assertThatThrownBy(() -> at("5.1").build()).hasMessageContaining("older than 6.0");
  }

  @Test
  void everyFlagFactNamesItsSource() {
    for (TrtexecFlag f : TrtexecFlag.values()) {
      assertThat(f.source()).as(f.name()).contains("release/");
    }
    assertThat(TrtexecFlag.BEST.offeredIn(TensorRtRelease.of(7, 0))).isFalse();
    assertThat(TrtexecFlag.BEST.offeredIn(TensorRtRelease.of(7, 1))).isTrue();
    assertThat(TrtexecFlag.WORKSPACE.offeredIn(TensorRtRelease.of(10, 0))).isFalse();
  }
}
