package dev.trtcompat.jobs;

import java.time.Instant;

/**
 * One cell as stored: its spec, state and the bookkeeping of the claim protocol.
 *
 * @param reason why it failed, was skipped, cancelled or interrupted; null otherwise
 * @param attempts how many times a runner has claimed it
 * @param owner the instance that holds it while RUNNING, else null
 * @param leaseUntil the owner's lease; after it passes, any instance may recover the cell
 * @param logPath the current attempt's log, relative to the data folder; null before the first claim
 * @param resultJson the executor's measured outcome (JSON), or null
 */
public record Cell(
    long id,
    long jobId,
    CellSpec spec,
    boolean forced,
    CellState state,
    String reason,
    int attempts,
    String owner,
    Instant leaseUntil,
    boolean cancelRequested,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant updatedAt,
    String logPath,
    String resultJson) {}
