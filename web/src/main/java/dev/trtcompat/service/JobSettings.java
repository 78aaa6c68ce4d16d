package dev.trtcompat.service;

import dev.trtcompat.conversion.ConversionSettings;
import dev.trtcompat.docker.DockerSettings;
import dev.trtcompat.docker.GpuRequest;
import dev.trtcompat.docker.RunnerSettings;
import dev.trtcompat.jobs.JobRunnerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How the service runs jobs: where state lives, how much runs at once, limits and the Docker side.
 *
 * @param databaseUrl a {@code jdbc:postgresql:} URL shared by several instances, or null for SQLite in the
 *     data folder
 * @param workers cells this instance runs at once
 * @param maxJobs unfinished jobs accepted overall (more: 429)
 * @param maxJobsPerClient unfinished jobs accepted per client (more: 429)
 * @param engineQuotaBytes disk for built engines; least recently used ones are evicted beyond it
 * @param instanceId this instance's id in the queue; keep it stable across restarts so a restart recovers its
 *     own interrupted cells at once
 * @param lease how long a claimed cell stays this instance's without a heartbeat
 */
public record JobSettings(Path dataDir, String databaseUrl, int workers, int maxJobs, int maxJobsPerClient,
    long engineQuotaBytes, String instanceId, Duration lease, DockerSettings docker, RunnerSettings runner,
    ConversionSettings conversion) {

  public static final long DEFAULT_ENGINE_QUOTA = 20L * 1024 * 1024 * 1024;

  public JobSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    if (databaseUrl != null && databaseUrl.isBlank()) {
      databaseUrl = null;
    }
    if (workers < 1 || maxJobs < 1 || maxJobsPerClient < 1 || engineQuotaBytes < 1) {
      throw new IllegalArgumentException("workers, job limits and the engine quota must be at least 1");
    }
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(lease, "lease");
  }

  /**
   * Defaults: SQLite, 2 workers, 100 jobs (10 per client), 20 GiB of engines, a stable instance id (kept in the
   * data folder by the caller), 30 s lease; Docker from {@code DOCKER_HOST}, images from {@code
   * TRT_COMPAT_REGISTRY} (default nvcr.io/nvidia), extra container environment from
   * {@code TRT_COMPAT_CONTAINER_ENV} ({@code NAME=VALUE,NAME=VALUE}), the containers' owner label from {@code
   * TRT_COMPAT_CONTAINER_OWNER} (default trt-compat; deployments sharing one Docker engine need distinct owners),
   * GPUs from {@code TRT_COMPAT_GPUS} ({@code all} by default, {@code none}, or ids {@code 0,1}).
   */
  public static JobSettings defaults(Path dataDir, String instanceId, Map<String, String> env) {
    ConversionSettings c = ConversionSettings.defaults();
    String registry = env.get("TRT_COMPAT_REGISTRY");
    if (registry != null && !registry.isBlank()) {
      c = c.withRegistryPrefix(registry);
    }
    String extraEnv = env.get("TRT_COMPAT_CONTAINER_ENV");
    if (extraEnv != null && !extraEnv.isBlank()) {
      Map<String, String> vars = new LinkedHashMap<>();
      for (String pair : extraEnv.split(",")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          vars.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
      }
      c = c.withContainerEnv(vars);
    }
    String gpus = env.get("TRT_COMPAT_GPUS");
    if (gpus != null && !gpus.isBlank()) {
      c = c.withGpus(gpuRequest(gpus));
    }
    String owner = env.getOrDefault("TRT_COMPAT_CONTAINER_OWNER", "trt-compat");
    return new JobSettings(dataDir, null, 2, 100, 10, DEFAULT_ENGINE_QUOTA, instanceId, Duration.ofSeconds(30),
        DockerSettings.fromEnvironment(env), RunnerSettings.defaults(owner.isBlank() ? "trt-compat" : owner), c);
  }

  /** {@code all}, {@code none} (CPU-only hosts, and the test double) or device ids {@code 0,1}. */
  static GpuRequest gpuRequest(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("all")) {
      return GpuRequest.allGpus();
    }
    if (t.equalsIgnoreCase("none")) {
      return GpuRequest.none();
    }
    return GpuRequest.devices(Arrays.stream(t.split(",")).map(String::trim).toArray(String[]::new));
  }

  public JobSettings withDatabaseUrl(String url) {
    return new JobSettings(dataDir, url, workers, maxJobs, maxJobsPerClient, engineQuotaBytes, instanceId, lease,
        docker, runner, conversion);
  }

  public JobSettings withWorkers(int n) {
    return new JobSettings(dataDir, databaseUrl, n, maxJobs, maxJobsPerClient, engineQuotaBytes, instanceId, lease,
        docker, runner, conversion);
  }

  public JobSettings withLimits(int jobs, int perClient) {
    return new JobSettings(dataDir, databaseUrl, workers, jobs, perClient, engineQuotaBytes, instanceId, lease,
        docker, runner, conversion);
  }

  public JobSettings withEngineQuota(long bytes) {
    return new JobSettings(dataDir, databaseUrl, workers, maxJobs, maxJobsPerClient, bytes, instanceId, lease,
        docker, runner, conversion);
  }

  public JobSettings withInstanceId(String id) {
    return new JobSettings(dataDir, databaseUrl, workers, maxJobs, maxJobsPerClient, engineQuotaBytes, id, lease,
        docker, runner, conversion);
  }

  public JobSettings withLease(Duration d) {
    return new JobSettings(dataDir, databaseUrl, workers, maxJobs, maxJobsPerClient, engineQuotaBytes, instanceId, d,
        docker, runner, conversion);
  }

  public JobSettings withRunner(RunnerSettings r) {
    return new JobSettings(dataDir, databaseUrl, workers, maxJobs, maxJobsPerClient, engineQuotaBytes, instanceId,
        lease, docker, r, conversion);
  }

  public JobSettings withConversion(ConversionSettings c) {
    return new JobSettings(dataDir, databaseUrl, workers, maxJobs, maxJobsPerClient, engineQuotaBytes, instanceId,
        lease, docker, runner, c);
  }

  /** The runner's queue settings: lease, heartbeat at a third of it, poll once a second. */
  JobRunnerConfig runnerConfig() {
    Duration heartbeat = lease.dividedBy(3);
    return JobRunnerConfig.defaults(instanceId).withWorkers(workers).withLease(lease, heartbeat)
        .withPoll(Duration.ofMillis(Math.min(1000, Math.max(100, lease.toMillis() / 10))));
  }
}
