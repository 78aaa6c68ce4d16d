package dev.trtcompat.check;

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
    GpuChoice gpu) {}
