package dev.trtcompat.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.OnnxModelReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Real torch.onnx.export output (Debian python3-torch 1.13, src/test/python/export_models.py). Each expected
 * verdict follows from a fact in the knowledge base, named in the assertion.
 */
class PyTorchExportsTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();

  static CompatibilityReport check(String name) {
    return CHECKER.check(OnnxModelReader.read(Path.of("src/test/resources/pytorch-exports/" + name + ".onnx")));
  }

  static Map<String, Verdict> verdicts(CompatibilityReport r) {
    return r.results().stream().collect(Collectors.toMap(ReleaseResult::tensorrt, ReleaseResult::verdict));
  }

  static ReleaseResult result(CompatibilityReport r, String release) {
    return r.results().stream().filter(x -> x.tensorrt().equals(release)).findFirst().orElseThrow();
  }

  @Test
  void detectionHeadNeedsNonZeroFrom85AndNmsFrom80() {
    CompatibilityReport r = check("detection_nms_nonzero");
    Map<String, Verdict> v = verdicts(r);
    // NonZero: no importer before 8.5-GA; NonMaxSuppression: no importer before 8.0-GA
    for (String rel : List.of("7.2", "8.0", "8.2", "8.4")) {
      assertThat(v.get(rel)).as(rel).isEqualTo(Verdict.INCOMPATIBLE);
      assertThat(result(r, rel).findings()).anySatisfy(f -> {
        assertThat(f.rule()).isEqualTo("op.unsupported");
        assertThat(f.op()).isEqualTo("NonZero");
        assertThat(f.message()).contains("supported from TensorRT 8.5");
        assertThat(f.fix()).contains("upgrade to TensorRT 8.5").contains("post-processing");
      });
    }
    assertThat(result(r, "7.2").findings()).anyMatch(f -> f.op().equals("NonMaxSuppression") && f.rule().equals("op.unsupported"));
    assertThat(result(r, "8.2").findings()).anyMatch(f -> f.rule().equals("op.experimental"));
    for (String rel : List.of("8.5", "8.6", "9.3", "10.0", "10.1")) {
      assertThat(v.get(rel).accepts()).as(rel).isTrue();
    }
    assertThat(r.opsetAdvice().oldestAcceptingRelease()).isEqualTo("8.5");
    assertThat(r.opsetAdvice().pytorch().torch()).isEqualTo("1.13");
    assertThat(r.opsetAdvice().pytorch().exporterOpsets()).containsExactly(7, 17);
    assertThat(r.opsetAdvice().pytorch().opsetRangePerRelease()).containsEntry("8.2", List.of(7, 13))
        .containsEntry("8.6", List.of(7, 17));
  }

  @Test
  void gridSampleFrom85() {
    Map<String, Verdict> v = verdicts(check("grid_sample"));
    assertThat(v.get("8.4")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(v.get("8.5")).isEqualTo(Verdict.COMPATIBLE);
    assertThat(v.get("10.1")).isEqualTo(Verdict.COMPATIBLE);
  }

  @Test
  void einsumFrom82() {
    Map<String, Verdict> v = verdicts(check("einsum"));
    assertThat(v.get("8.0")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(v.get("8.2")).isEqualTo(Verdict.COMPATIBLE);
  }

  @Test
  void indexPutBecomesScatterNdFrom82AndInt64IndicesAreCastBefore10() {
    CompatibilityReport r = check("index_put");
    assertThat(verdicts(r).get("8.0")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(verdicts(r).get("8.6")).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
    assertThat(result(r, "8.6").findings()).anyMatch(f -> f.rule().equals("type.cast_down.int64") && f.message().contains("'idx'"));
    assertThat(verdicts(r).get("10.0")).isEqualTo(Verdict.COMPATIBLE);
  }

  @Test
  void lstmWithDynamicBatchAndSequenceNeedsAProfile() {
    CompatibilityReport r = check("lstm");
    assertThat(verdicts(r).get("8.6")).isEqualTo(Verdict.COMPATIBLE_WITH_WARNINGS);
    assertThat(result(r, "8.6").findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("input.dynamic_shape");
      assertThat(f.message()).contains("'x'").contains("0 ('batch')").contains("1 ('seq')");
      assertThat(f.fix()).contains("--minShapes/--optShapes/--maxShapes for input 'x'");
    });
    // opset 13 Squeeze/Unsqueeze/Shape schemas are newer than 7.0's documented opset 11
    assertThat(verdicts(r).get("7.0")).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void transformerEncoderAtOpset14NeedsA84Parser() {
    CompatibilityReport r = check("transformer_encoder");
    assertThat(verdicts(r).get("8.2")).isEqualTo(Verdict.UNKNOWN);
    assertThat(result(r, "8.2").findings()).anyMatch(f -> f.rule().equals("op.schema_newer_than_parser.unknown")
        && f.fix().contains("opset 13"));
    assertThat(verdicts(r).get("8.4").accepts()).isTrue();
    assertThat(r.opsetAdvice().releasesParsingOpset()).first().isEqualTo("8.4");
  }

  @Test
  void bilinearSegmentationNeedsHalfPixelResizeFrom71() {
    CompatibilityReport r = check("segmentation");
    assertThat(verdicts(r).get("7.0")).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(result(r, "7.0").findings()).anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo("attribute_values.coordinate_transformation_mode");
      assertThat(f.op()).isEqualTo("Resize");
      assertThat(f.message()).contains("half_pixel");
    });
    assertThat(verdicts(r).get("7.1")).isEqualTo(Verdict.COMPATIBLE);
  }

  @Test
  void classifierParsesFrom72() {
    Map<String, Verdict> v = verdicts(check("classification_mobilenet_v2"));
    assertThat(v.get("7.1")).isEqualTo(Verdict.UNKNOWN);
    assertThat(v.get("7.2").accepts()).isTrue();
    assertThat(v.get("10.1").accepts()).isTrue();
  }
}
