package dev.trtcompat.jobs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Cell logs on disk: one file per attempt under {@code dataDir/logs/job-<id>/}, appended and flushed line
 * by line so a reader tailing the file sees what the executor wrote (see docs/jobs.md for why files).
 */
public final class CellLogFiles {

  private final Path dataDir;

  public CellLogFiles(Path dataDir) {
    this.dataDir = dataDir;
  }

  static String relativePath(long jobId, long cellId, int attempt) {
    return "logs/job-" + jobId + "/cell-" + cellId + "-attempt-" + attempt + ".log";
  }

  /** The absolute file of a cell's current log, or null before it first ran. */
  public Path file(Cell cell) {
    return cell.logPath() == null ? null : dataDir.resolve(cell.logPath());
  }

  Path jobFolder(long jobId) {
    return dataDir.resolve("logs/job-" + jobId);
  }

  /** Removes a job's logs (when its model is deleted). */
  public void deleteJob(long jobId) throws IOException {
    Path folder = jobFolder(jobId);
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  Writer open(Cell cell) throws IOException {
    Path file = file(cell);
    Files.createDirectories(file.getParent());
    return new Writer(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND));
  }

  /** Appends lines to one attempt's log; thread-safe because executors may log from reader threads. */
  static final class Writer implements AutoCloseable {
    private final BufferedWriter out;

    private Writer(BufferedWriter out) {
      this.out = out;
    }

    synchronized void append(String line) {
      try {
        out.write(line);
        out.newLine();
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public synchronized void close() throws IOException {
      out.close();
    }
  }
}
