package dev.trtcompat.rules;

import java.util.List;

/**
 * Which opsets exporters and ONNX releases produce, for opset advice: ONNX release to IR version and highest
 * default-domain opset, and PyTorch release to the {@code opset_version} range {@code torch.onnx.export}
 * accepts.
 */
public record OpsetFacts(List<String> sources, List<OnnxRelease> onnx, List<PyTorchRelease> pytorch) {

  /** One ONNX release and the newest IR version and opset it writes. */
  public record OnnxRelease(String onnx, int irVersion, int opset, String source) {}

  /**
   * One PyTorch release's TorchScript exporter.
   *
   * @param defaultOpset the opset used when {@code opset_version} is not given; null when not recorded
   */
  public record PyTorchRelease(String torch, int opsetMin, int opsetMax, Integer defaultOpset, String source) {}
}
