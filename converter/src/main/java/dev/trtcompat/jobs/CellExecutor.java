package dev.trtcompat.jobs;

/**
 * Runs one claimed cell: the container runner (trtexec) or the ONNX Runtime reference. Implementations
 * stream their log through {@code log}, stop promptly when {@link CellTask#cancellation()} fires (or the
 * thread is interrupted), and return a result or throw. A throw fails the cell with the exception's
 * message (a {@link dev.trtcompat.errors.UserFacingException}'s detail is shown as is).
 */
@FunctionalInterface
public interface CellExecutor {
  CellResult execute(CellTask task, CellLog log) throws Exception;
}
