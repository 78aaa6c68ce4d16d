package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How one output of a quantized (or FP16) model compares with the FP32 model over the evaluation samples: the
 * largest absolute and relative errors, the mean absolute error, the lowest and the mean per-sample cosine
 * similarity; top-1/top-5 agreement for class scores and IoU agreement for a named box output (null otherwise).
 * Samples where the two outputs have different element counts (a variable number of detections) are counted in
 * {@code shapeMismatches} and left out of the error figures, which are null when no sample could be compared.
 */
@JsonPropertyOrder({
  "name", "shapeMismatches", "maxAbsError", "maxRelError", "meanAbsError", "cosineMin", "cosineMean", "top1Agreement", "top5Agreement",
  "meanIou", "iouAtLeastHalf"
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutputAccuracy(
    String name,
    int shapeMismatches,
    Double maxAbsError,
    Double maxRelError,
    Double meanAbsError,
    Double cosineMin,
    Double cosineMean,
    Double top1Agreement,
    Double top5Agreement,
    Double meanIou,
    Double iouAtLeastHalf) {}
