package dev.trtcompat.service;

import dev.trtcompat.jobs.CellExecutor;
import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellTask;

/** What the service's job workers run for a claimed cell: the executor of the cell's kind. */
final class CellExecutors implements CellExecutor {

  private final CellExecutor conversion;
  private final CellExecutor reference;
  private final CellExecutor quantize;
  private final CellExecutor fix;

  CellExecutors(CellExecutor conversion, CellExecutor reference, CellExecutor quantize, CellExecutor fix) {
    this.conversion = conversion;
    this.reference = reference;
    this.quantize = quantize;
    this.fix = fix;
  }

  @Override
  public CellResult execute(CellTask task, CellLog log) throws Exception {
    return switch (task.cell().spec().kind()) {
      case TRT_CONVERSION -> conversion.execute(task, log);
      case ORT_REFERENCE -> reference.execute(task, log);
      case QUANTIZE, FP16 -> quantize.execute(task, log);
      case FIX -> fix.execute(task, log);
    };
  }
}
