package dev.trtcompat.check;

import java.util.List;
import java.util.Map;

/**
 * Opset advice for a checked model.
 *
 * @param modelOpset the model's default-domain opset
 * @param releasesParsingOpset releases whose documented opset range includes the model's opset
 * @param oldestAcceptingRelease the oldest checked release whose verdict accepts the whole model; null if none
 * @param pytorch for a model whose producer is {@code pytorch}: the exporter opset window per release
 */
public record OpsetAdvice(
    long modelOpset,
    List<String> releasesParsingOpset,
    String oldestAcceptingRelease,
    PyTorchAdvice pytorch,
    List<String> advice) {

  /**
   * Which {@code torch.onnx.export(opset_version=...)} values fit each release.
   *
   * @param torch the exporting PyTorch release read from producer_version, null when not recognised
   * @param exporterOpsets the opset range that PyTorch release can export, null when not known
   * @param opsetRangePerRelease release to [min, max] opset that both the exporter and the release's parser
   *     cover; a release with no overlap is absent
   */
  public record PyTorchAdvice(
      String producerVersion, String torch, List<Integer> exporterOpsets,
      Map<String, List<Integer>> opsetRangePerRelease) {}
}
