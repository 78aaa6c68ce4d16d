package dev.trtcompat.check;

import dev.trtcompat.onnx.ModelSummary;
import java.util.List;

/** The whole answer for a model: its inspect summary and one result per release, oldest release first. */
public record CompatibilityReport(ModelSummary model, List<ReleaseResult> results, OpsetAdvice opsetAdvice) {}
