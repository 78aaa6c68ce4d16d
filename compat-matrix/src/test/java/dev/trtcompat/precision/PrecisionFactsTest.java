package dev.trtcompat.precision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The bundled facts load and validate; broken files are refused; GPU choices read in every documented form. */
class PrecisionFactsTest {

  static final PrecisionFacts FACTS = PrecisionFacts.bundled();

  @Test
  void bundledFactsLoadWithSourcesForEveryFact() {
    assertThat(FACTS.quantization().facts()).isNotEmpty()
        .allSatisfy(f -> assertThat(f.sources()).isNotEmpty());
    assertThat(FACTS.gpus().architectures()).allSatisfy(a -> assertThat(a.sources()).isNotEmpty());
  }

  @ParameterizedTest(name = "{0}: FP8 {1}, INT4 {2}, FP4 {3}")
  @CsvSource({"8.6,false,false,false", "9.0,true,false,false", "10.0,true,true,false", "10.7,true,true,false",
      "10.8,true,true,true"})
  void quantizedTypesPerRelease(String release, boolean fp8, boolean int4, boolean fp4) {
    QuantizationFacts q = FACTS.quantization();
    assertThat(q.qdqType(release, "INT8")).isPresent();
    assertThat(q.qdqType(release, "FLOAT8E4M3FN").isPresent()).isEqualTo(fp8);
    assertThat(q.qdqType(release, "INT4").isPresent()).isEqualTo(int4);
    assertThat(q.qdqType(release, "FLOAT4E2M1").isPresent()).isEqualTo(fp4);
  }

  @Test
  void stronglyTypedFromNineAndPrecisionFlagsUntilEleven() {
    QuantizationFacts q = FACTS.quantization();
    assertThat(q.holds("8.6", ReleaseFact.Kind.STRONGLY_TYPED)).isFalse();
    assertThat(q.holds("9.0", ReleaseFact.Kind.STRONGLY_TYPED)).isTrue();
    assertThat(q.buildPrecision("10.16", Precision.FP16)).isPresent();
    assertThat(q.buildPrecision("11.0", Precision.FP16)).isEmpty();
    assertThat(q.buildPrecision("11.0", Precision.FP32)).isPresent();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"sm_89,8.9", "SM89,8.9", "8.9,8.9", "89,8.9", "L4,8.9", "nvidia l4,8.9", "RTX 4090,8.9",
      "rtx4090,8.9", "H200,9.0", "T4,7.5", "A10,8.6", "A100,8.0", "B200,10.0", "sm_100,10.0", "RTX 5090,12.0",
      "sm_120,12.0", "Orin,8.7"})
  void gpuChoicesResolve(String text, String cc) {
    Gpu g = FACTS.gpus().resolve(text);
    assertThat(g.sm().toString()).isEqualTo(cc);
  }

  @Test
  void namesKeepTheirSpellingAndCapabilitiesTheirArchitecture() {
    Gpu l4 = FACTS.gpus().resolve("l4");
    assertThat(l4.label()).isEqualTo("L4 (sm_89)");
    assertThat(l4.architecture().fp8()).isTrue();
    assertThat(FACTS.gpus().resolve("sm_61").architecture().fp16()).isFalse();
    assertThat(FACTS.gpus().resolve("sm_52").architecture()).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"foo", "sm_", "0.9", "RTX 9999", " "})
  void unknownGpusNameTheAcceptedForms(String text) {
    assertThatThrownBy(() -> FACTS.gpus().resolve(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sm_89, 8.9").hasMessageContaining("L4 (sm_89)");
  }

  @ParameterizedTest(name = "{0} is refused")
  @CsvSource({
      "/precision-bad/unknown-field.json,/dev/trtcompat/precision/gpus.json,Unrecognized field",
      "/precision-bad/no-source.json,/dev/trtcompat/precision/gpus.json,at least one source",
      "/precision-bad/unknown-kind.json,/dev/trtcompat/precision/gpus.json,unknown fact kind",
      "/dev/trtcompat/precision/quantization.json,/precision-bad/gpu-bad-source.json,unknown source id"})
  void brokenFilesStopLoading(String quantization, String gpus, String message) {
    assertThatThrownBy(() -> PrecisionFacts.load(quantization, gpus)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(message);
  }
}
