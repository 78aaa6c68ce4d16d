/**
 * Build precisions: the shared {@link dev.trtcompat.precision.Precision} vocabulary, and the sourced facts about
 * which precisions and quantized types each TensorRT release and each GPU architecture can build.
 */
package dev.trtcompat.precision;
