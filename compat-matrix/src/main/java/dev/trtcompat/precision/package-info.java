/**
 * Build precisions: the shared {@link dev.trtcompat.precision.Precision} vocabulary (FP32, FP16, INT8, BEST) that
 * rules, command lines, jobs, tolerances and the matrix share, and the sourced facts about which precisions and
 * quantized types each TensorRT release and each GPU architecture can build.
 */
package dev.trtcompat.precision;
