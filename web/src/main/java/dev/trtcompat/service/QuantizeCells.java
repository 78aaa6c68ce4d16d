package dev.trtcompat.service;

import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellTask;

/**
 * Runs a job's INT8 quantization cell on the calling thread: the web layer owns the calibration uploads and the
 * model store the Q/DQ model goes into, so it supplies this.
 */
@FunctionalInterface
public interface QuantizeCells {

  CellResult run(CellTask task, CellLog log) throws Exception;
}
