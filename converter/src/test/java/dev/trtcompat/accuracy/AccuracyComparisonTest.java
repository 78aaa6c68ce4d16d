package dev.trtcompat.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.reference.HostTensor;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AccuracyComparisonTest {

  static HostTensor floats(String name, float... v) {
    return HostTensor.ofFloats(name, new long[] {v.length}, v);
  }

  /** A ResNet-like logit vector: 1000 values around 0 with a few large ones. */
  static float[] logits(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() * 2);
    }
    return v;
  }

  static float[] perturb(float[] v, double relative, double absolute, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] += (float) ((r.nextDouble() * 2 - 1) * (Math.abs(v[i]) * relative + absolute));
    }
    return out;
  }

  @Test
  void metricsOnSmallVectorsAreExact() {
    OutputComparison c = AccuracyComparison.compare(floats("y", 1, 2, 0, -4), floats("y", 1, 2.5f, 0.5f, -4), Tolerance.defaults(Precision.FP32));
    assertThat(c.maxAbsError()).isEqualTo(0.5);
    assertThat(c.maxRelError()).isEqualTo(0.25); // 0.5/2; the zero reference element is left out
    assertThat(c.meanAbsError()).isEqualTo(0.25);
    assertThat(c.withinTolerance()).isEqualTo(0.5);
    double cos = (1 + 5 + 16) / (Math.sqrt(21) * Math.sqrt(1 + 6.25 + 0.25 + 16));
    assertThat(c.cosineSimilarity()).isCloseTo(cos, within(1e-12));
    assertThat(c.passed()).isFalse();
    assertThat(c.problem()).contains("50.0000% of elements");
  }

  @Test
  void identicalOutputsPassAtEveryPrecision() {
    float[] v = logits(1);
    for (Precision p : Precision.values()) {
      AccuracyReport r = AccuracyComparison.compare(
          Map.of("y", floats("y", v)), Map.of("y", floats("y", v)), p, Tolerance.defaults(p));
      assertThat(r.passed()).as(p.name()).isTrue();
      assertThat(r.outputs().get(0).cosineSimilarity()).isEqualTo(1.0);
      assertThat(r.outputs().get(0).maxAbsError()).isZero();
    }
  }

  @Test
  void fp16SizedNoiseFailsFp32ButPassesFp16() {
    float[] ref = logits(2);
    float[] engine = perturb(ref, 4e-3, 1e-3, 3); // a few half-precision ulps per element
    Map<String, HostTensor> r = Map.of("y", floats("y", ref));
    Map<String, HostTensor> e = Map.of("y", floats("y", engine));
    assertThat(AccuracyComparison.compare(r, e, Precision.FP32, Tolerance.defaults(Precision.FP32)).passed()).isFalse();
    assertThat(AccuracyComparison.compare(r, e, Precision.FP16, Tolerance.defaults(Precision.FP16)).passed()).isTrue();
  }

  @Test
  void int8SizedNoiseFailsFp16ButPassesInt8() {
    float[] ref = logits(4);
    float[] engine = perturb(ref, 3e-2, 2e-2, 5);
    Map<String, HostTensor> r = Map.of("y", floats("y", ref));
    Map<String, HostTensor> e = Map.of("y", floats("y", engine));
    assertThat(AccuracyComparison.compare(r, e, Precision.FP16, Tolerance.defaults(Precision.FP16)).passed()).isFalse();
    AccuracyReport int8 = AccuracyComparison.compare(r, e, Precision.INT8, Tolerance.defaults(Precision.INT8));
    assertThat(int8.passed()).as(int8.summary()).isTrue();
  }

  @Test
  void corruptedElementsFailByTheirShareWhenTheRestIsExact() {
    float[] ref = logits(6);
    Map<String, HostTensor> r = Map.of("y", floats("y", ref));
    Map<String, HostTensor> five = Map.of("y", floats("y", zeroFirst(ref, 5))); // 0.5% of elements
    Map<String, HostTensor> twenty = Map.of("y", floats("y", zeroFirst(ref, 20))); // 2%: a broken slice
    assertThat(AccuracyComparison.compare(r, five, Precision.FP32, Tolerance.defaults(Precision.FP32)).passed()).isFalse();
    assertThat(AccuracyComparison.compare(r, five, Precision.INT8, Tolerance.defaults(Precision.INT8)).passed()).isTrue();
    AccuracyReport fp16 = AccuracyComparison.compare(r, twenty, Precision.FP16, Tolerance.defaults(Precision.FP16));
    assertThat(fp16.passed()).isFalse();
    assertThat(fp16.summary()).startsWith("y: 98.0000% of elements");
  }

  static float[] zeroFirst(float[] v, int n) {
    float[] out = v.clone();
    java.util.Arrays.fill(out, 0, n, 0f);
    return out;
  }

  @Test
  void cosineCatchesAGlobalSignFlipOfSmallValues() {
    float[] ref = new float[100];
    java.util.Arrays.fill(ref, 1e-3f);
    float[] engine = new float[100];
    java.util.Arrays.fill(engine, -1e-3f);
    OutputComparison c = AccuracyComparison.compare(floats("y", ref), floats("y", engine), Tolerance.defaults(Precision.INT8));
    assertThat(c.withinTolerance()).isEqualTo(1.0); // every element is within atol 5e-2...
    assertThat(c.cosineSimilarity()).isCloseTo(-1, within(1e-12));
    assertThat(c.passed()).isFalse(); // ...but the direction is reversed
    assertThat(c.problem()).contains("cosine");
  }

  @Test
  void shapeAndTypeMismatchesAreReported() {
    HostTensor ref = HostTensor.ofFloats("y", new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    HostTensor sameCountOtherShape = HostTensor.ofFloats("y", new long[] {3, 2}, 1, 2, 3, 4, 5, 6);
    OutputComparison c = AccuracyComparison.compare(ref, sameCountOtherShape, Tolerance.defaults(Precision.FP32));
    assertThat(c.shapeMismatch()).isTrue();
    assertThat(c.passed()).isFalse();
    assertThat(c.maxAbsError()).isZero(); // still compared element by element

    OutputComparison fewer = AccuracyComparison.compare(ref, floats("y", 1, 2), Tolerance.defaults(Precision.FP32));
    assertThat(fewer.passed()).isFalse();
    assertThat(fewer.problem()).contains("cannot be compared");
    assertThat(fewer.maxAbsError()).isNaN();

    HostTensor ints = HostTensor.ofLongs("y", new long[] {2, 3}, 1, 2, 3, 4, 5, 6);
    OutputComparison kind = AccuracyComparison.compare(ref, ints, Tolerance.defaults(Precision.FP32));
    assertThat(kind.dtypeMismatch()).isTrue();
    assertThat(kind.passed()).isFalse();

    // FP16 engine I/O against an FP32 reference: reported, compared numerically, may pass.
    ByteBuffer half = ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (float v : new float[] {1, 2, 3, 4, 5, 6}) {
      half.putShort(dev.trtcompat.reference.Float16.fromFloat(v));
    }
    HostTensor h = new HostTensor("y", ElementType.FLOAT16, new long[] {2, 3}, half.flip());
    OutputComparison widths = AccuracyComparison.compare(ref, h, Tolerance.defaults(Precision.FP16));
    assertThat(widths.dtypeMismatch()).isTrue();
    assertThat(widths.passed()).isTrue();
  }

  @Test
  void nanOnOneSideIsAMismatchOnBothSidesAMatch() {
    OutputComparison c = AccuracyComparison.compare(
        floats("y", Float.NaN, 1, 2), floats("y", Float.NaN, Float.NaN, 2), Tolerance.defaults(Precision.FP32));
    assertThat(c.nanMismatches()).isEqualTo(1);
    assertThat(c.withinTolerance()).isCloseTo(2 / 3.0, within(1e-12));
    assertThat(c.maxAbsError()).isZero();
    assertThat(c.passed()).isFalse();
  }

  @Test
  void missingAndExtraOutputsAreNamed() {
    AccuracyReport r = AccuracyComparison.compare(
        Map.of("a", floats("a", 1), "b", floats("b", 2)), Map.of("a", floats("a", 1), "c", floats("c", 3)),
        Precision.FP32, Tolerance.defaults(Precision.FP32));
    assertThat(r.passed()).isFalse();
    assertThat(r.missingOutputs()).containsExactly("b");
    assertThat(r.extraOutputs()).containsExactly("c");
  }

  @Test
  void tolerancesAreConfigurableAndValidated() {
    OutputComparison strict = AccuracyComparison.compare(floats("y", 1), floats("y", 1.01f), Tolerance.defaults(Precision.FP32));
    OutputComparison loose = AccuracyComparison.compare(floats("y", 1), floats("y", 1.01f), Tolerance.defaults(Precision.FP32).withRtol(0.02));
    assertThat(strict.passed()).isFalse();
    assertThat(loose.passed()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Tolerance(-1, 0, 1, 0))
        .isInstanceOf(dev.trtcompat.errors.UserFacingException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Tolerance.defaults(Precision.FP16).withMinWithinShare(1.5))
        .isInstanceOf(dev.trtcompat.errors.UserFacingException.class);
  }
}
