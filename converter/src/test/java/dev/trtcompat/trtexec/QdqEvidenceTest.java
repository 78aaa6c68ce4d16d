package dev.trtcompat.trtexec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.precision.Precision;
import dev.trtcompat.trtexec.QdqEvidence.State;
import org.junit.jupiter.api.Test;

/** The verdict on real fixture logs, with the command lines the service builds for a Q/DQ model per release. */
class QdqEvidenceTest {

  private static TrtexecCommand int8(String release, boolean quantizedModel) {
    return TrtexecCommand.builder(TensorRtRelease.parse(release), "/work/model.onnx").precision(Precision.INT8)
        .quantizedModel(quantizedModel).build();
  }

  @Test
  void anInt8BuildOfAQdqModelWhoseLogSaysExplicitPrecisionModeIsShown() {
    for (String file : new String[] {"trt8.2-int8-qdq-qat-mobilenetv2-success.log",
        "trt8.2-int8-qdq-ptq-mobilenetv2-success.log"}) {
      QdqEvidence e = QdqEvidence.of(int8("8.2", true), true, LogFixtures.parse(file));
      assertThat(e.state()).as(file).isEqualTo(State.SHOWN);
      assertThat(e.logLine()).startsWith("Calibrator won't be used in explicit precision mode.");
      assertThat(e.message()).contains("scales come from the model's Q/DQ nodes").contains(e.logLine());
    }
  }

  @Test
  void theLineStillCountsWhenTheBuildFailedAfterIt() {
    QdqEvidence e = QdqEvidence.of(int8("8.6", true), true,
        LogFixtures.parse("trt8.x-int8-qdq-build-failure-outscales-excerpt.log"));
    assertThat(e.state()).isEqualTo(State.SHOWN);
  }

  @Test
  void aSuccessfulInt8BuildWithoutTheLineIsAWarning() {
    // A real log that built an engine and never mentions explicit precision, read as an --int8 Q/DQ build.
    QdqEvidence e = QdqEvidence.of(int8("8.6", true), true, LogFixtures.parse("trt8.4-fp16-verbose-success.log"));
    assertThat(e.state()).isEqualTo(State.MISSING);
    assertThat(e.logLine()).isNull();
    assertThat(e.message()).startsWith("Warning:").contains("Calibrator won't be used in explicit precision mode");
  }

  @Test
  void aStronglyTypedBuildsLogCannotShowIt() {
    TrtexecCommand strong = int8("10.3", true);
    assertThat(strong.arguments()).contains("--stronglyTyped").doesNotContain("--int8");
    QdqEvidence e = QdqEvidence.of(strong, true, LogFixtures.parse("trt10.16-fp32-success.log"));
    assertThat(e.state()).isEqualTo(State.NOT_IN_LOG);
    assertThat(e.message()).contains("cannot show");
  }

  @Test
  void nothingToJudgeWithoutQdqNodesOrInt8OrAnEngine() {
    assertThat(QdqEvidence.of(int8("8.6", false), false, LogFixtures.parse("trt8.4-fp16-verbose-success.log"))).isNull();
    TrtexecCommand fp32 = TrtexecCommand.builder(TensorRtRelease.parse("8.6"), "/work/model.onnx").build();
    assertThat(QdqEvidence.of(fp32, true, LogFixtures.parse("trt8.4-fp16-verbose-success.log"))).isNull();
    assertThat(QdqEvidence.of(int8("8.6", true), true,
        LogFixtures.parse("trt8.x-nonzero-unsupported-plugin-not-found.log"))).isNull();
  }
}
