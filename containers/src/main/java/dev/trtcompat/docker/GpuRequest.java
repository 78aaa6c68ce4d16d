package dev.trtcompat.docker;

import java.util.List;

/**
 * Which GPUs a container gets: none (tests, CPU-only work), all of the host's, or specific device ids.
 *
 * @param all every GPU of the host
 * @param deviceIds specific device ids or UUIDs as {@code nvidia-smi} lists them; empty with {@code all=false} means none
 */
public record GpuRequest(boolean all, List<String> deviceIds) {

  public GpuRequest {
    deviceIds = List.copyOf(deviceIds);
    if (all && !deviceIds.isEmpty()) {
      throw new IllegalArgumentException("ask for all GPUs or for device ids, not both");
    }
    for (String id : deviceIds) {
      if (id.isBlank() || id.contains(",")) {
        throw new IllegalArgumentException("not a GPU device id: '" + id + "'");
      }
    }
  }

  public static GpuRequest none() {
    return new GpuRequest(false, List.of());
  }

  public static GpuRequest allGpus() {
    return new GpuRequest(true, List.of());
  }

  public static GpuRequest devices(String... ids) {
    if (ids.length == 0) {
      throw new IllegalArgumentException("name at least one GPU device id");
    }
    return new GpuRequest(false, List.of(ids));
  }

  public boolean isNone() {
    return !all && deviceIds.isEmpty();
  }
}
