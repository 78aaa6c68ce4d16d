package dev.trtcompat.conversion;

import java.util.List;

/**
 * A stored TensorRT engine and how it was made; written beside the engine as {@code metadata.json}.
 *
 * @param sha256 the engine file's SHA-256, also its address in the {@link EngineStore}
 * @param modelSha256 the SHA-256 of the ONNX model it was built from
 * @param tensorrtVersion from the trtexec banner, else the release asked for
 * @param image the container image reference that built it
 * @param imageId the engine's image id (sha256:...) of that image
 * @param imageDigests the registry digests of that image, empty for local-only images
 * @param gpuName the GPU trtexec built on, null when the log does not say
 * @param computeCapability that GPU's compute capability (e.g. 8.9), null when the log does not say
 * @param precision fp32, fp16, int8 or best
 * @param flags the trtexec argument list
 * @param buildTimeSeconds "Engine built in" from the log, null when not printed
 * @param bytes engine file size
 * @param createdAt ISO-8601 instant the engine was stored
 * @param validity where the engine can be used: only with this TensorRT version on this GPU model
 */
public record EngineArtifact(String sha256, String modelSha256, String tensorrtVersion, String image, String imageId,
    List<String> imageDigests, String gpuName, String computeCapability, String precision, List<String> flags,
    Double buildTimeSeconds, long bytes, String createdAt, String validity) {

  public EngineArtifact {
    imageDigests = List.copyOf(imageDigests);
    flags = List.copyOf(flags);
  }

  /** The sentence every place that offers an engine shows. */
  public static String validity(String tensorrtVersion, String gpuName, String computeCapability) {
    String gpu = gpuName == null ? "the GPU it was built on (not stated in the log)"
        : gpuName + (computeCapability == null ? "" : " (compute capability " + computeCapability + ")");
    return "Only valid with TensorRT " + tensorrtVersion + " on " + gpu
        + ": TensorRT engines are not portable across TensorRT versions or GPU models; rebuild for any other.";
  }

  /** A download file name carrying model, TensorRT version, precision and GPU, safe for any file system. */
  public String fileName() {
    return fileName(modelSha256, tensorrtVersion, precision, gpuName, computeCapability);
  }

  /** The same name from its parts, for engines known only by their catalog record (no compute capability). */
  public static String fileName(String modelSha256, String tensorrtVersion, String precision, String gpuName,
      String computeCapability) {
    String gpu = gpuName == null ? "unknown-gpu" : gpuName;
    String name = "model-" + modelSha256.substring(0, 12) + "_trt" + tensorrtVersion + "_" + precision + "_" + gpu
        + (computeCapability == null ? "" : "_sm" + computeCapability.replace(".", ""));
    return name.replaceAll("[^A-Za-z0-9._-]+", "-") + ".plan";
  }
}
