package dev.trtcompat.jobs;

import java.time.Instant;
import java.util.List;

/** A request to measure one model, with its cells in matrix order. */
public record Job(
    long id,
    String modelSha256,
    String clientId,
    String requestSha256,
    String requestJson,
    Instant createdAt,
    List<Cell> cells) {

  public Job {
    cells = List.copyOf(cells);
  }

  /** True while any cell still has work ahead of it. */
  public boolean unfinished() {
    return cells.stream().anyMatch(c -> c.state().unfinished());
  }
}
