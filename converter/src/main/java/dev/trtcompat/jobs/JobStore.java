package dev.trtcompat.jobs;

import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import dev.trtcompat.store.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The SQL behind jobs and cells. Every state change goes through {@link #move}, which guards on the
 * expected current state (and owner/attempt where a runner is involved) and records a {@link CellEvent} in
 * the same transaction, so the event feed and the cell rows never disagree.
 */
final class JobStore {

  private static final String CELL_COLUMNS =
      "id, job_id, kind, trt_release, precision_mode, forced, state, reason, attempts, owner, lease_until,"
          + " cancel_requested, created_at, started_at, finished_at, updated_at, log_path, result_json";

  private final Database db;

  JobStore(Database db) {
    this.db = db;
  }

  Database db() {
    return db;
  }

  Dialect dialect() {
    return db.dialect();
  }

  // ---- jobs

  long insertJob(Connection c, JobRequest request, String requestSha256, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO job (model_sha256, client_id, request_sha256, request_json, created_at)"
                + " VALUES (?, ?, ?, ?, ?) RETURNING id")) {
      ps.setString(1, request.modelSha256());
      ps.setString(2, request.clientId());
      ps.setString(3, requestSha256);
      ps.setString(4, request.requestJson());
      ps.setLong(5, now.toEpochMilli());
      return returnedId(ps);
    }
  }

  /** Inserts a cell in its first state and returns the creation event. */
  CellEvent insertCell(Connection c, long jobId, JobRequest.CellRequest request, Instant now) throws SQLException {
    CellState state = request.skipped() ? CellState.SKIPPED : CellState.QUEUED;
    String reason = request.skipped() ? request.staticIncompatibility() : null;
    long id;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO cell (job_id, kind, trt_release, precision_mode, forced, state, reason, attempts,"
                + " cancel_requested, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, FALSE, ?, ?)"
                + " RETURNING id")) {
      CellSpec spec = request.spec();
      ps.setLong(1, jobId);
      ps.setString(2, spec.kind().name());
      ps.setString(3, spec.trtRelease());
      ps.setString(4, spec.precision() == null ? null : spec.precision().name());
      ps.setBoolean(5, request.force());
      ps.setString(6, state.name());
      ps.setString(7, reason);
      ps.setLong(8, now.toEpochMilli());
      ps.setLong(9, now.toEpochMilli());
      id = returnedId(ps);
    }
    return insertEvent(c, id, jobId, now, null, state, 0, null, reason);
  }

  Optional<Job> job(Connection c, long id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, model_sha256, client_id, request_sha256, request_json, created_at FROM job WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(jobRow(rs, cellsOf(c, id)));
      }
    }
  }

  List<Job> jobsForModel(Connection c, String modelSha256) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM job WHERE model_sha256 = ? ORDER BY id DESC")) {
      ps.setString(1, modelSha256);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    List<Job> jobs = new ArrayList<>();
    for (long id : ids) {
      job(c, id).ifPresent(jobs::add);
    }
    return jobs;
  }

  /** Jobs with work ahead of them, for all clients ({@code clientId} null) or one. */
  int countUnfinishedJobs(Connection c, String clientId) throws SQLException {
    String sql =
        "SELECT COUNT(DISTINCT cell.job_id) FROM cell JOIN job ON job.id = cell.job_id"
            + " WHERE cell.state IN ('QUEUED', 'RUNNING', 'INTERRUPTED')"
            + (clientId == null ? "" : " AND job.client_id = ?");
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (clientId != null) {
        ps.setString(1, clientId);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Makes this transaction the only one checking limits (a row lock on PostgreSQL, the writer lock on SQLite). */
  void holdSubmissionGate(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE submission_gate SET id = id WHERE id = 1")) {
      ps.executeUpdate();
    }
  }

  boolean touchModel(Connection c, String modelSha256, Instant now) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE model SET last_used_at = ? WHERE sha256 = ?")) {
      ps.setLong(1, now.toEpochMilli());
      ps.setString(2, modelSha256);
      return ps.executeUpdate() == 1;
    }
  }

  // ---- cells

  Optional<Cell> cell(Connection c, long id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + CELL_COLUMNS + " FROM cell WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(cellRow(rs)) : Optional.empty();
      }
    }
  }

  List<Cell> cellsOf(Connection c, long jobId) throws SQLException {
    return cellsWhere(c, "job_id = ? ORDER BY id", jobId);
  }

  /** The model's newest cell of this kind, whichever job holds it. */
  Optional<Cell> latestCell(Connection c, String modelSha256, CellKind kind) throws SQLException {
    List<Cell> cells = cellsWhere(c, "kind = ? AND job_id IN (SELECT id FROM job WHERE model_sha256 = ?)"
        + " ORDER BY id DESC LIMIT 1", kind.name(), modelSha256);
    return cells.stream().findFirst();
  }

  List<Cell> cellsOwnedBy(Connection c, String owner) throws SQLException {
    return cellsWhere(c, "owner = ? AND state = 'RUNNING' ORDER BY id", owner);
  }

  /**
   * Cells to recover: running with a lease that has passed, and those left INTERRUPTED by a recovery that
   * did not finish. At start-up ({@code atStartup}) also the cells this instance id held in its previous
   * life: nothing of this process runs yet, so they are orphans whatever their lease. The caller leaves
   * out cells it is executing itself.
   */
  List<Cell> orphans(Connection c, Instant now, String self, boolean atStartup) throws SQLException {
    List<Cell> cells = atStartup
        ? cellsWhere(c, "state = 'RUNNING' AND (lease_until < ? OR owner = ?) ORDER BY id", now.toEpochMilli(), self)
        : cellsWhere(c, "state = 'RUNNING' AND lease_until < ? ORDER BY id", now.toEpochMilli());
    cells.addAll(cellsWhere(c, "state = 'INTERRUPTED' ORDER BY id"));
    return cells;
  }

  private List<Cell> cellsWhere(Connection c, String where, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT " + CELL_COLUMNS + " FROM cell WHERE " + where)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<Cell> cells = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cells.add(cellRow(rs));
        }
      }
      return cells;
    }
  }

  /**
   * Claims the oldest queued cell for {@code owner}. On PostgreSQL the select locks the row and skips rows
   * other instances are claiming; on SQLite the transaction already holds the only writer lock.
   */
  Optional<Cell> claim(Connection c, String owner, Instant now, Instant leaseUntil) throws SQLException {
    Cell cell;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + CELL_COLUMNS + " FROM cell WHERE state = 'QUEUED' ORDER BY id LIMIT 1"
                + dialect().claimLock())) {
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        cell = cellRow(rs);
      }
    }
    int attempt = cell.attempts() + 1;
    String logPath = CellLogFiles.relativePath(cell.jobId(), cell.id(), attempt);
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE cell SET state = 'RUNNING', owner = ?, lease_until = ?, attempts = ?, started_at = ?,"
                + " finished_at = NULL, updated_at = ?, reason = NULL, result_json = NULL,"
                + " cancel_requested = FALSE, log_path = ? WHERE id = ? AND state = 'QUEUED'")) {
      ps.setString(1, owner);
      ps.setLong(2, leaseUntil.toEpochMilli());
      ps.setInt(3, attempt);
      ps.setLong(4, now.toEpochMilli());
      ps.setLong(5, now.toEpochMilli());
      ps.setString(6, logPath);
      ps.setLong(7, cell.id());
      if (ps.executeUpdate() != 1) {
        return Optional.empty(); // lost a race; the caller simply tries again
      }
    }
    return cell(c, cell.id());
  }

  /**
   * Extends the lease of the given cells, which {@code owner} is executing; a cell it holds but no longer
   * executes is left to expire, so recovery re-queues it.
   */
  int heartbeat(Connection c, String owner, Collection<Long> cellIds, Instant leaseUntil, Instant now)
      throws SQLException {
    if (cellIds.isEmpty()) {
      return 0;
    }
    String marks = String.join(", ", Collections.nCopies(cellIds.size(), "?"));
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE cell SET lease_until = ?, updated_at = ? WHERE owner = ? AND state = 'RUNNING'"
            + " AND id IN (" + marks + ")")) {
      ps.setLong(1, leaseUntil.toEpochMilli());
      ps.setLong(2, now.toEpochMilli());
      ps.setString(3, owner);
      int i = 4;
      for (long id : cellIds) {
        ps.setLong(i++, id);
      }
      return ps.executeUpdate();
    }
  }

  boolean requestCancel(Connection c, long cellId) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE cell SET cancel_requested = TRUE WHERE id = ? AND state = 'RUNNING'")) {
      ps.setLong(1, cellId);
      return ps.executeUpdate() == 1;
    }
  }

  /** What a state change may require of the row besides its state. */
  record Guard(CellState expected, String owner, Integer attempt) {
    static Guard state(CellState expected) {
      return new Guard(expected, null, null);
    }

    static Guard held(String owner, int attempt) {
      return new Guard(CellState.RUNNING, owner, attempt);
    }
  }

  /**
   * Moves a cell to {@code to} if it is still as {@code guard} expects; returns the recorded event, or
   * empty if the cell had moved on (another instance or user got there first).
   */
  Optional<CellEvent> move(
      Connection c, Cell cell, Guard guard, CellState to, String reason, String resultJson, String instance,
      Instant now, boolean force)
      throws SQLException {
    // An INTERRUPTED cell keeps its last owner so that recovery can name it to the container cleanup.
    boolean leaving = to != CellState.RUNNING && to != CellState.INTERRUPTED;
    boolean requeue = to == CellState.QUEUED;
    StringBuilder sql = new StringBuilder("UPDATE cell SET state = ?, reason = ?, updated_at = ?");
    if (leaving) {
      sql.append(", owner = NULL, lease_until = NULL");
    }
    if (to == CellState.SUCCEEDED || to == CellState.FAILED || to == CellState.CANCELLED) {
      sql.append(", finished_at = ?, result_json = ?");
    }
    if (requeue) {
      sql.append(", finished_at = NULL, result_json = NULL, cancel_requested = FALSE");
      if (force) {
        sql.append(", forced = TRUE");
      }
    }
    sql.append(" WHERE id = ? AND state = ?");
    if (guard.owner() != null) {
      sql.append(" AND owner = ? AND attempts = ?");
    }
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      int i = 1;
      ps.setString(i++, to.name());
      ps.setString(i++, reason);
      ps.setLong(i++, now.toEpochMilli());
      if (to == CellState.SUCCEEDED || to == CellState.FAILED || to == CellState.CANCELLED) {
        ps.setLong(i++, now.toEpochMilli());
        if (resultJson == null) {
          ps.setNull(i++, Types.VARCHAR);
        } else {
          ps.setString(i++, resultJson);
        }
      }
      ps.setLong(i++, cell.id());
      ps.setString(i++, guard.expected().name());
      if (guard.owner() != null) {
        ps.setString(i++, guard.owner());
        ps.setInt(i++, guard.attempt());
      }
      if (ps.executeUpdate() != 1) {
        return Optional.empty();
      }
    }
    return Optional.of(insertEvent(c, cell.id(), cell.jobId(), now, guard.expected(), to, cell.attempts(), instance,
        reason));
  }

  // ---- events

  CellEvent insertEvent(
      Connection c, long cellId, long jobId, Instant at, CellState from, CellState to, int attempt, String instance,
      String reason)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO cell_event (cell_id, job_id, at, from_state, to_state, attempt, instance, reason)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
      ps.setLong(1, cellId);
      ps.setLong(2, jobId);
      ps.setLong(3, at.toEpochMilli());
      ps.setString(4, from == null ? null : from.name());
      ps.setString(5, to.name());
      ps.setInt(6, attempt);
      ps.setString(7, instance);
      ps.setString(8, reason);
      long id = returnedId(ps);
      return new CellEvent(id, cellId, jobId, at, from, to, attempt, instance, reason);
    }
  }

  List<CellEvent> events(Connection c, String where, long key, int limit) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, cell_id, job_id, at, from_state, to_state, attempt, instance, reason FROM cell_event WHERE "
                + where + " ORDER BY id LIMIT ?")) {
      ps.setLong(1, key);
      ps.setInt(2, limit);
      List<CellEvent> events = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String from = rs.getString(5);
          events.add(new CellEvent(rs.getLong(1), rs.getLong(2), rs.getLong(3), Instant.ofEpochMilli(rs.getLong(4)),
              from == null ? null : CellState.valueOf(from), CellState.valueOf(rs.getString(6)), rs.getInt(7),
              rs.getString(8), rs.getString(9)));
        }
      }
      return events;
    }
  }

  // ---- rows

  private static long returnedId(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Job jobRow(ResultSet rs, List<Cell> cells) throws SQLException {
    return new Job(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        Instant.ofEpochMilli(rs.getLong(6)), cells);
  }

  private static Cell cellRow(ResultSet rs) throws SQLException {
    String precision = rs.getString("precision_mode");
    CellSpec spec = new CellSpec(CellKind.valueOf(rs.getString("kind")), rs.getString("trt_release"),
        precision == null ? null : Precision.valueOf(precision));
    return new Cell(
        rs.getLong("id"),
        rs.getLong("job_id"),
        spec,
        rs.getBoolean("forced"),
        CellState.valueOf(rs.getString("state")),
        rs.getString("reason"),
        rs.getInt("attempts"),
        rs.getString("owner"),
        instant(rs, "lease_until"),
        rs.getBoolean("cancel_requested"),
        instant(rs, "created_at"),
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        instant(rs, "updated_at"),
        rs.getString("log_path"),
        rs.getString("result_json"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long millis = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
  }
}
