package dev.trtcompat.http.quantize;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trtcompat.fp16.Fp16Converter;
import dev.trtcompat.fp16.Fp16Result;
import dev.trtcompat.quantize.AccuracySummary;
import java.util.List;

/**
 * A finished FP16 conversion as the service records it: the FP16 cell's result and, beside the FP16 model, its link
 * back to the source. Holds ids and URLs, never server paths.
 *
 * @param modelId the FP16 model, stored as a model of its own
 * @param sourceModelId the FP32 model it was made from
 * @param statistics the data the FP32 keep list was decided on (and the accuracy measured on, held out)
 * @param caveat {@link Fp16Converter#TIMING_ONLY} for random data, else null
 * @param fp16Nodes nodes that run in FP16
 * @param fp32Nodes nodes kept in FP32, listed with their reasons in {@code keptFp32}
 * @param accuracy the FP16 model against the FP32 model on ONNX Runtime (CPU), on held-out samples when possible
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record Fp16Conversion(String modelId, String fileName, String sourceModelId, String sourceFileName, long jobId,
    long cellId, String pageUrl, String modelUrl, String downloadUrl, String statistics, String statisticsSha256,
    boolean synthetic, String caveat, int fp16Nodes, int fp32Nodes, List<Fp16Result.KeptNode> keptFp32,
    int castsAdded, int weightsConverted, AccuracySummary accuracy, double seconds) implements ConvertedModel {

  static Fp16Conversion of(Fp16Result r, String statisticsSha256, String modelId, String fileName,
      String sourceModelId, String sourceFileName, long jobId, long cellId) {
    return new Fp16Conversion(modelId, fileName, sourceModelId, sourceFileName, jobId, cellId,
        QuantizeRoutes.pageUrl(modelId), QuantizeRoutes.modelUrl(modelId), QuantizeRoutes.downloadUrl(modelId),
        r.statistics(), statisticsSha256, r.synthetic(), r.caveat(), r.fp16Nodes(),
        r.fp32Nodes(), r.keptFp32(), r.castsAdded(), r.weightsConverted(), r.accuracy(), r.seconds());
  }
}
