package dev.trtcompat.cli;

import dev.trtcompat.quantize.Progress;
import java.io.PrintWriter;

/** Prints progress to stderr: one line per phase at every tenth of the way and at the end. */
final class ProgressLine implements Progress {

  private final PrintWriter err;
  private String phase;
  private int lastTenth = -1;

  ProgressLine(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void report(String phase, int done, int total) {
    if (!phase.equals(this.phase)) {
      this.phase = phase;
      lastTenth = -1;
    }
    int tenth = total == 0 ? 10 : done * 10 / total;
    if (tenth > lastTenth) {
      lastTenth = tenth;
      err.printf("%s %d/%d%n", phase, done, total);
      err.flush();
    }
  }
}
