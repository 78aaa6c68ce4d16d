/**
 * Post-training INT8 quantization for TensorRT's explicit-quantization path: calibration data, per-tensor
 * histograms over ONNX Runtime runs, range methods (minmax, percentile, entropy), Q/DQ placement and the rewrite
 * of the model with QuantizeLinear/DequantizeLinear pairs.
 */
package dev.trtcompat.quantize;
