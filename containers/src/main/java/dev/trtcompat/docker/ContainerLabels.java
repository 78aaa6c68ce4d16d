package dev.trtcompat.docker;

import java.util.Map;

/**
 * The labels on every container trt-compat creates. They let the reaper find containers a crashed instance
 * left behind, and let people see what a container belongs to ({@code docker ps --filter label=...}).
 */
public final class ContainerLabels {

  /** Present with value {@code true} on every trt-compat container. */
  public static final String MANAGED = "dev.trtcompat.managed";
  /** The configured owner id: one trt-compat deployment (or one test run) on this engine. */
  public static final String OWNER = "dev.trtcompat.owner";
  /** The process that created the container; a new process of the same owner reaps the old ones. */
  public static final String INSTANCE = "dev.trtcompat.instance";
  /** The run id, as reported in {@link RunResult#runId()}. */
  public static final String RUN = "dev.trtcompat.run";

  private ContainerLabels() {}

  static Map<String, String> of(String owner, String instance, String run) {
    return Map.of(MANAGED, "true", OWNER, owner, INSTANCE, instance, RUN, run);
  }
}
