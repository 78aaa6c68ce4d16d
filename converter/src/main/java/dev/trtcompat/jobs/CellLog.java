package dev.trtcompat.jobs;

/** Where an executor writes the running cell's log, one line at a time, as the lines arrive. */
@FunctionalInterface
public interface CellLog {
  void line(String line);
}
