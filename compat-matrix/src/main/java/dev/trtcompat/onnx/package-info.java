/** Reading ONNX files with 64-bit positions, without loading weights: the model, its graph and its summary. */
package dev.trtcompat.onnx;
