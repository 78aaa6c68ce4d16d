package dev.trtcompat.http.quantize;

/**
 * What a finished precision conversion ({@link Quantization}, {@link Fp16Conversion}) records of the converted model
 * and its source, for the links on both models' pages.
 */
interface ConvertedModel {

  String fileName();

  String pageUrl();

  String downloadUrl();

  String sourceModelId();

  String sourceFileName();
}
