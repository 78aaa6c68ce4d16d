package dev.trtcompat.jobs;

import java.time.Instant;

/**
 * One state change of one cell, as recorded in order; {@code id} increases, so a reader can follow the
 * feed from the last id it saw (this is how another instance's changes reach a browser).
 *
 * @param from null when the cell was created
 * @param instance the instance that made the change, or null for a user action without a runner
 */
public record CellEvent(
    long id,
    long cellId,
    long jobId,
    Instant at,
    CellState from,
    CellState to,
    int attempt,
    String instance,
    String reason) {}
