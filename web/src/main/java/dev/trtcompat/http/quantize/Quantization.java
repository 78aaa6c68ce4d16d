package dev.trtcompat.http.quantize;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trtcompat.quantize.AccuracySummary;
import dev.trtcompat.quantize.QuantizeResult;
import dev.trtcompat.quantize.SensitivityResult;
import java.util.List;

/**
 * A finished quantization as the service records it: the quantization cell's result and, beside the Q/DQ model,
 * its link back to the source. Holds ids and URLs, never server paths.
 *
 * @param modelId the Q/DQ model, stored as a model of its own
 * @param sourceModelId the FP32 model it was made from
 * @param caveat "scales from random data: timing only" for random calibration data, else null
 * @param accuracy the Q/DQ model against the FP32 model on ONNX Runtime (CPU), on held-out samples when possible
 * @param sensitivity the per-layer ranking and the FP32 set it recommended, when the order asked for the analysis
 *     (the Q/DQ model is then the recommended one); else null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Quantization(String modelId, String fileName, String sourceModelId, String sourceFileName, long jobId,
    long cellId, String pageUrl, String modelUrl, String downloadUrl, String method, String calibration,
    String calibrationSha256, int calibrationSamples, boolean synthetic, String caveat, int opset,
    int activationsQuantized, int weightsQuantized, List<String> excludedNodes, AccuracySummary accuracy,
    List<String> notes, double seconds, SensitivityResult sensitivity) implements ConvertedModel {

  /** @param sensitivity the analysis that chose the model's FP32 layers, or null */
  static Quantization of(QuantizeResult r, SensitivityResult sensitivity, String modelId, String fileName,
      String sourceModelId, String sourceFileName, long jobId, long cellId) {
    return new Quantization(modelId, fileName, sourceModelId, sourceFileName, jobId, cellId,
        QuantizeRoutes.pageUrl(modelId), QuantizeRoutes.modelUrl(modelId), QuantizeRoutes.downloadUrl(modelId),
        r.method(), r.calibration(), r.calibrationSha256(), r.calibrationSamples(), r.synthetic(), r.caveat(),
        r.opset(), r.activationsQuantized(), r.weightsQuantized(), r.excludedNodes(), r.accuracy(), r.notes(),
        r.seconds(), sensitivity == null ? null : sensitivity.withoutModel());
  }
}
