/** The ONNX Runtime CPU reference run and the host tensors and files (NPY, TensorProto) it reads and writes. */
package dev.trtcompat.reference;
