package dev.trtcompat.docker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the {@link ContainerRunner} behaves on this host.
 *
 * @param ownerId names this deployment on the engine; the reaper removes only containers with this owner
 * @param runsPerGpu most containers at once on one GPU; more runs queue
 * @param gpuDeviceIds the host's GPU ids, used to count an "all GPUs" run against every GPU
 * @param runsWithoutGpu most GPU-less containers at once (tests, CPU work)
 * @param stopGrace after a timeout or cancel, how long the process gets after SIGTERM before SIGKILL
 * @param pullAllowed pull images that are not on the engine (off for air-gapped hosts)
 * @param pullTimeout longest time one image pull may take
 * @param logDrainTimeout after exit, how long to wait for the last log lines to arrive
 * @param reapOnStart remove this owner's leftover containers from earlier processes when the runner opens
 */
public record RunnerSettings(String ownerId, int runsPerGpu, List<String> gpuDeviceIds, int runsWithoutGpu,
    Duration stopGrace, boolean pullAllowed, Duration pullTimeout, Duration logDrainTimeout, boolean reapOnStart) {

  public RunnerSettings {
    Objects.requireNonNull(ownerId, "ownerId");
    if (!ownerId.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new IllegalArgumentException("owner id must be 1-63 letters, digits, '.', '_' or '-': '" + ownerId + "'");
    }
    gpuDeviceIds = List.copyOf(gpuDeviceIds);
    if (runsPerGpu < 1 || runsWithoutGpu < 1) {
      throw new IllegalArgumentException("concurrency limits must be at least 1");
    }
    if (gpuDeviceIds.isEmpty()) {
      throw new IllegalArgumentException("name the host's GPU ids, or use [\"all\"] to treat them as one");
    }
    for (Duration d : List.of(stopGrace, pullTimeout, logDrainTimeout)) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("durations must not be negative");
      }
    }
  }

  /** One run per GPU, all GPUs treated as one device, two GPU-less runs, pulls allowed, reaping on. */
  public static RunnerSettings defaults(String ownerId) {
    return new RunnerSettings(ownerId, 1, List.of("all"), 2, Duration.ofSeconds(5), true,
        Duration.ofMinutes(30), Duration.ofSeconds(5), true);
  }

  /**
   * Whether opening a runner removes this owner's containers of other instances. Right for one process per
   * owner; instances sharing a queue must turn it off (they would remove each other's live runs) and rely on
   * the job layer's per-cell clean-up instead.
   */
  public RunnerSettings withReapOnStart(boolean reap) {
    return new RunnerSettings(ownerId, runsPerGpu, gpuDeviceIds, runsWithoutGpu, stopGrace, pullAllowed, pullTimeout,
        logDrainTimeout, reap);
  }

  public RunnerSettings withRunsPerGpu(int runs) {
    return new RunnerSettings(ownerId, runs, gpuDeviceIds, runsWithoutGpu, stopGrace, pullAllowed, pullTimeout,
        logDrainTimeout, reapOnStart);
  }

  public RunnerSettings withRunsWithoutGpu(int runs) {
    return new RunnerSettings(ownerId, runsPerGpu, gpuDeviceIds, runs, stopGrace, pullAllowed, pullTimeout,
        logDrainTimeout, reapOnStart);
  }

  public RunnerSettings withStopGrace(Duration grace) {
    return new RunnerSettings(ownerId, runsPerGpu, gpuDeviceIds, runsWithoutGpu, grace, pullAllowed, pullTimeout,
        logDrainTimeout, reapOnStart);
  }

  public RunnerSettings withPull(boolean allowed, Duration timeout) {
    return new RunnerSettings(ownerId, runsPerGpu, gpuDeviceIds, runsWithoutGpu, stopGrace, allowed, timeout,
        logDrainTimeout, reapOnStart);
  }

  public RunnerSettings withGpuDeviceIds(List<String> ids) {
    return new RunnerSettings(ownerId, runsPerGpu, ids, runsWithoutGpu, stopGrace, pullAllowed, pullTimeout,
        logDrainTimeout, reapOnStart);
  }
}
