package dev.trtcompat.jobs;

/**
 * Told about changes made in this instance as they commit (the web layer turns them into server-sent
 * events). Called on the thread that made the change: return quickly and do not throw.
 */
public interface CellListener {

  void stateChanged(CellEvent event);

  /** A line the running cell wrote to its log (already appended to the log file). */
  default void logLine(long jobId, long cellId, String line) {}
}
