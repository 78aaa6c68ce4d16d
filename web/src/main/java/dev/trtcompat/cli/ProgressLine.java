package dev.trtcompat.cli;

import dev.trtcompat.quantize.Progress;
import java.io.PrintWriter;
import java.time.Duration;

/** Prints progress to stderr: one line per phase at every tenth of the way and at the end, with any budget left. */
final class ProgressLine implements Progress {

  private final PrintWriter err;
  private String phase;
  private int lastTenth = -1;

  ProgressLine(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void report(String phase, int done, int total) {
    report(phase, done, total, null);
  }

  /** With {@code quantize --sensitivity}: the line also says how much of {@code --budget} is left. */
  @Override
  public void report(String phase, int done, int total, Duration budgetLeft) {
    if (!phase.equals(this.phase)) {
      this.phase = phase;
      lastTenth = -1;
    }
    int tenth = total == 0 ? 10 : done * 10 / total;
    if (tenth > lastTenth) {
      lastTenth = tenth;
      err.printf("%s %d/%d%s%n", phase, done, total, budgetLeft == null ? "" : " (" + Progress.budgetLeft(budgetLeft) + ")");
      err.flush();
    }
  }
}
