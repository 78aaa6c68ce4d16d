package dev.trtcompat.check;

import dev.trtcompat.precision.Gpu;

/**
 * The GPU a report was filtered for, as the JSON shows it.
 *
 * @param sm {@code sm_89}; {@code family} null when the facts do not list that compute capability
 */
public record GpuChoice(String name, String sm, String computeCapability, String family) {

  static GpuChoice of(Gpu g) {
    return new GpuChoice(g.name(), g.sm().sm(), g.sm().toString(), g.family());
  }
}
