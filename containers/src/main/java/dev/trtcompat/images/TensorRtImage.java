package dev.trtcompat.images;

import java.util.List;

/**
 * One NGC TensorRT container tag and what it ships, with the public sources the facts come from.
 *
 * @param tag the NGC tag, e.g. {@code 23.04-py3}
 * @param release the TensorRT release line, major.minor, e.g. {@code 8.6}
 * @param tensorRtVersion the TensorRT version as precisely as the source states it, e.g. {@code 8.6.1}
 * @param cudaVersion the CUDA version, empty when the source does not state it
 * @param minDriver the minimum NVIDIA driver the release notes state, empty when the source does not state it
 * @param note what kind of source backs the row
 * @param sources source URLs
 */
public record TensorRtImage(
    String tag, String release, String tensorRtVersion, String cudaVersion, String minDriver, String note,
    List<String> sources) {

  public TensorRtImage {
    sources = List.copyOf(sources);
  }

  /** The image in NVIDIA's registry: {@code nvcr.io/nvidia/tensorrt:<tag>}. */
  public ImageReference reference() {
    return new ImageReference("nvcr.io", "nvidia/tensorrt", tag, "");
  }
}
