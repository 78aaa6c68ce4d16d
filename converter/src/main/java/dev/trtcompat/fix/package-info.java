/**
 * Rewrites an ONNX model so that chosen TensorRT releases accept it (constant folding, fixed shapes, INT64 to
 * INT32, clean-up, release-targeted rewrites), and proves with ONNX Runtime that its outputs did not change.
 */
package dev.trtcompat.fix;
