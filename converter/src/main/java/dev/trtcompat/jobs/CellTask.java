package dev.trtcompat.jobs;

import java.nio.file.Path;

/**
 * Everything an executor needs for one attempt of one cell.
 *
 * @param modelFile the model on disk
 * @param requestJson the job's request (shapes, timeout, ...)
 * @param attempt 1 for the first run; containers should be labelled with cell id and attempt so that
 *     orphans of earlier attempts can be found
 */
public record CellTask(
    Cell cell, String modelSha256, Path modelFile, String requestJson, int attempt, Cancellation cancellation) {}
