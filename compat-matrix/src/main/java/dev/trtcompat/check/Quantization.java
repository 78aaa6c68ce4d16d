package dev.trtcompat.check;

import java.util.List;

/**
 * The model's explicit quantization, release-independent.
 *
 * @param qdqNodes QuantizeLinear plus DequantizeLinear nodes at any depth
 * @param types the element types they quantize to (ONNX names; a node without a type counts as INT8, which
 *     TensorRT uses in place of ONNX's UINT8 default)
 */
public record Quantization(int qdqNodes, List<String> types) {

  public Quantization {
    types = List.copyOf(types);
  }
}
