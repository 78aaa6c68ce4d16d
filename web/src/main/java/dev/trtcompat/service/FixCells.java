package dev.trtcompat.service;

import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellTask;

/**
 * Runs a fix job's cell on the calling thread: rewrites the model as the spec says, proves it, and stores the fixed
 * model (the web layer owns the model store, so it keeps the result).
 */
@FunctionalInterface
public interface FixCells {
  CellResult run(CellTask task, FixSpec spec, CellLog log) throws Exception;
}
