package dev.trtcompat.conversion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.trtexec.TrtexecCommand.ShapeRange;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConversionRequestTest {

  @Test
  void shapesParseFixedAndMinOptMax() {
    var s = ConversionRequest.shapes("input:1x3x224x224, mask:1x8/4x8/16x8");
    assertThat(s.get("input")).isEqualTo(ShapeRange.fixed(List.of(1L, 3L, 224L, 224L)));
    assertThat(s.get("mask")).isEqualTo(new ShapeRange(List.of(1L, 8L), List.of(4L, 8L), List.of(16L, 8L)));
    assertThat(ConversionRequest.shapes("")).isEmpty();
  }

  @Test
  void badShapesAndPrecisionsAreUserErrors() {
    for (String bad : List.of("input", "input:1x", "input:axb", "x:1/2", ":1x2")) {
      assertThatThrownBy(() -> ConversionRequest.shapes(bad)).as(bad).isInstanceOf(UserFacingException.class)
          .hasMessageContaining("is not a shape");
    }
    assertThat(ConversionRequest.precision("fp16")).isEqualTo(Precision.FP16);
    assertThat(ConversionRequest.precision("BEST")).isEqualTo(Precision.BEST);
    assertThatThrownBy(() -> ConversionRequest.precision("fp8")).isInstanceOf(UserFacingException.class)
        .hasMessageContaining("use fp32, fp16, int8 or best");
  }

  @Test
  void engineFileNameIsSafeAndValiditySaysVersionAndGpu() {
    var a = new EngineArtifact("a".repeat(64), "b".repeat(64), "8.6.1", "img:1", null, List.of(),
        "NVIDIA GeForce RTX 3090", "8.6", "fp16", List.of(), null, 1, "2026-01-01T00:00:00Z",
        EngineArtifact.validity("8.6.1", "NVIDIA GeForce RTX 3090", "8.6"));
    assertThat(a.fileName()).isEqualTo("model-bbbbbbbbbbbb_trt8.6.1_fp16_NVIDIA-GeForce-RTX-3090_sm86.plan");
    assertThat(a.validity()).startsWith("Only valid with TensorRT 8.6.1 on NVIDIA GeForce RTX 3090 (compute capability 8.6)");
  }
}
