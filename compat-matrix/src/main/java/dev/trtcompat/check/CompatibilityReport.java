package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trtcompat.onnx.ModelSummary;
import java.util.List;

/**
 * The whole answer for a model: its inspect summary and one result per release, oldest release first.
 *
 * @param quantization the model's Q/DQ nodes and the types they quantize to
 * @param gpu the GPU the report was filtered for ({@link GpuFilter}); null when it holds for any GPU
 */
public record CompatibilityReport(
    ModelSummary model, List<ReleaseResult> results, OpsetAdvice opsetAdvice, Quantization quantization,
    GpuChoice gpu) {

  /** For a Q/DQ model, whether each release builds it as explicit INT8; empty (and left out of JSON) otherwise. */
  @JsonProperty("explicitQuantization")
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public List<ExplicitQuantizationVerdict> explicitQuantization() {
    return ExplicitQuantizationVerdict.of(this);
  }
}
