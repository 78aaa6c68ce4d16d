package dev.trtcompat.jobs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * How a {@link JobRunner} works through the queue.
 *
 * @param instanceId names this instance in the owner column; must be unique among running instances. A
 *     stable id (set in configuration) lets a restarted instance recover its own cells at once instead of
 *     waiting for their leases to pass
 * @param workers cells this instance runs at the same time
 * @param lease how long a claim stays valid without a heartbeat; after it, any instance may recover the cell
 * @param heartbeat how often leases are extended; well under {@code lease} so a slow tick does not lose one
 * @param poll how often the queue is checked for work and cancel requests when nothing wakes the runner
 * @param maxAttempts claims of one cell before an interruption fails it instead of re-queueing it (a cell
 *     that kills its instance every time must not loop forever)
 * @param stopTimeout how long {@link JobRunner#close()} waits for running executors to stop
 */
public record JobRunnerConfig(
    String instanceId, int workers, Duration lease, Duration heartbeat, Duration poll, int maxAttempts,
    Duration stopTimeout) {

  public JobRunnerConfig {
    Objects.requireNonNull(instanceId, "instanceId");
    if (instanceId.isBlank() || instanceId.length() > 200) {
      throw new IllegalArgumentException("instanceId must be 1..200 characters");
    }
    if (workers < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("workers and maxAttempts must be at least 1");
    }
    if (heartbeat.compareTo(lease.dividedBy(2)) > 0) {
      throw new IllegalArgumentException("heartbeat must be at most half the lease, got " + heartbeat + " / " + lease);
    }
  }

  /** Two workers, 30 s lease renewed every 10 s, queue checked every second, 3 attempts. */
  public static JobRunnerConfig defaults(String instanceId) {
    return new JobRunnerConfig(instanceId, 2, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1),
        3, Duration.ofSeconds(30));
  }

  /** A fresh id for an instance that has no configured one: host name plus a random suffix. */
  public static String generatedInstanceId() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "host";
    }
    return host + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  public JobRunnerConfig withWorkers(int n) {
    return new JobRunnerConfig(instanceId, n, lease, heartbeat, poll, maxAttempts, stopTimeout);
  }

  public JobRunnerConfig withLease(Duration newLease, Duration newHeartbeat) {
    return new JobRunnerConfig(instanceId, workers, newLease, newHeartbeat, poll, maxAttempts, stopTimeout);
  }

  public JobRunnerConfig withPoll(Duration newPoll) {
    return new JobRunnerConfig(instanceId, workers, lease, heartbeat, newPoll, maxAttempts, stopTimeout);
  }

  public JobRunnerConfig withMaxAttempts(int n) {
    return new JobRunnerConfig(instanceId, workers, lease, heartbeat, poll, n, stopTimeout);
  }
}
