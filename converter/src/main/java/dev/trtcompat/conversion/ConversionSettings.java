package dev.trtcompat.conversion;

import dev.trtcompat.docker.GpuRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How conversions run on this host.
 *
 * @param registryPrefix where TensorRT images come from, e.g. {@code nvcr.io/nvidia} or a private mirror
 * @param imageOverride run this image for every release instead of the catalog's (a local build, a test double);
 *     null for the catalog
 * @param gpus GPUs handed to each container; {@link GpuRequest#none()} for hosts without one (tests)
 * @param memoryLimitBytes hard memory limit per container
 * @param maxQueueWait how long a run may wait for a free GPU before the caller gives up
 * @param containerEnv extra environment for the container (the test double reads its replay log from it)
 */
public record ConversionSettings(String registryPrefix, String imageOverride, GpuRequest gpus, long memoryLimitBytes,
    Duration maxQueueWait, Map<String, String> containerEnv) {

  public ConversionSettings {
    Objects.requireNonNull(registryPrefix, "registryPrefix");
    Objects.requireNonNull(gpus, "gpus");
    Objects.requireNonNull(maxQueueWait, "maxQueueWait");
    containerEnv = Map.copyOf(containerEnv);
  }

  /** NGC images, all GPUs, 16 GiB, one hour of queueing. */
  public static ConversionSettings defaults() {
    return new ConversionSettings("nvcr.io/nvidia", null, GpuRequest.allGpus(), 16L << 30, Duration.ofHours(1), Map.of());
  }

  public ConversionSettings withRegistryPrefix(String prefix) {
    return new ConversionSettings(prefix, imageOverride, gpus, memoryLimitBytes, maxQueueWait, containerEnv);
  }

  public ConversionSettings withImageOverride(String image) {
    return new ConversionSettings(registryPrefix, image, gpus, memoryLimitBytes, maxQueueWait, containerEnv);
  }

  public ConversionSettings withGpus(GpuRequest request) {
    return new ConversionSettings(registryPrefix, imageOverride, request, memoryLimitBytes, maxQueueWait, containerEnv);
  }

  public ConversionSettings withContainerEnv(Map<String, String> env) {
    return new ConversionSettings(registryPrefix, imageOverride, gpus, memoryLimitBytes, maxQueueWait, env);
  }
}
