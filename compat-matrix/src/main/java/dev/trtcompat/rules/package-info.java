/** The knowledge base: one rule file per TensorRT release, its loader, ONNX operator history and opset facts. */
package dev.trtcompat.rules;
