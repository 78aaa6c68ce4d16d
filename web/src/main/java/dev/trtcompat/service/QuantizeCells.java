package dev.trtcompat.service;

import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellTask;

/**
 * Runs a job's INT8 quantization or FP16 conversion cell on the calling thread: the web layer owns the calibration
 * uploads and the model store the converted model goes into, so it supplies this.
 */
@FunctionalInterface
public interface QuantizeCells {

  CellResult run(CellTask task, CellLog log) throws Exception;
}
