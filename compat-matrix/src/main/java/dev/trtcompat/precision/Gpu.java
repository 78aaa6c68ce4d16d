package dev.trtcompat.precision;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The GPU a check is for.
 *
 * @param name what the user chose, as the facts spell it ({@code L4}) or the capability ({@code sm_89})
 * @param architecture the facts about its compute capability; null when the facts have none
 */
public record Gpu(String name, ComputeCapability sm, @JsonIgnore GpuFacts.Architecture architecture) {

  /** {@code L4 (sm_89)} or {@code sm_89}. */
  public String label() {
    return name.equals(sm.sm()) ? name : name + " (" + sm.sm() + ")";
  }

  public String family() {
    return architecture == null ? null : architecture.family();
  }
}
