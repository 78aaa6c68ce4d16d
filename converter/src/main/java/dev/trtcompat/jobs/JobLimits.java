package dev.trtcompat.jobs;

/**
 * Limits on accepted work, checked when a job is submitted or re-queued; over a limit the request is
 * refused with {@code LIMIT_REACHED} (HTTP 429).
 *
 * @param maxUnfinishedJobs jobs with work ahead of them, across all clients and instances
 * @param maxUnfinishedJobsPerClient the same, per client
 */
public record JobLimits(int maxUnfinishedJobs, int maxUnfinishedJobsPerClient) {

  public JobLimits {
    if (maxUnfinishedJobs < 1 || maxUnfinishedJobsPerClient < 1) {
      throw new IllegalArgumentException("limits must be at least 1");
    }
  }

  public static JobLimits defaults() {
    return new JobLimits(100, 5);
  }
}
