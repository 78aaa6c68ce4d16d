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

  /** Prefix of every label trt-compat sets; callers may add their own below it. */
  public static final String EXTRA_PREFIX = "dev.trtcompat.";
  /** The durable job cell a run belongs to (set by the job layer). */
  public static final String CELL = "dev.trtcompat.cell";
  /** Which attempt of that cell the run is. */
  public static final String ATTEMPT = "dev.trtcompat.attempt";

  static final java.util.Set<String> RESERVED = java.util.Set.of(MANAGED, OWNER, INSTANCE, RUN);

  private ContainerLabels() {}

  static Map<String, String> of(String owner, String instance, String run, Map<String, String> extra) {
    Map<String, String> all = new java.util.HashMap<>(extra);
    all.putAll(Map.of(MANAGED, "true", OWNER, owner, INSTANCE, instance, RUN, run));
    return all;
  }
}
