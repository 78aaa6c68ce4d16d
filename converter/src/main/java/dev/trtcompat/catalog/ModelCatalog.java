package dev.trtcompat.catalog;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.jobs.CellLogFiles;
import dev.trtcompat.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database index of models: one row per content hash, registered by the store that keeps the files (the
 * service's {@code FileModelStore}), so jobs and engines can refer to a model. Deleting a model removes its
 * rows (jobs, cells, events and engines cascade), its engine files and its cell logs; the model's own files are
 * its file store's to remove.
 */
public final class ModelCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(ModelCatalog.class);
  private static final String COLUMNS = "sha256, original_name, size_bytes, uploaded_at, last_used_at";

  private final Database db;
  private final Path dataDir;
  private final CellLogFiles logs;
  private final Clock clock;

  public ModelCatalog(Database db, Path dataDir, Clock clock) {
    this.db = db;
    this.dataDir = dataDir;
    this.logs = new CellLogFiles(dataDir);
    this.clock = clock;
  }

  /**
   * Records a model whose files the file store keeps (with its external data); the same id registered again
   * only marks it used.
   */
  public ModelRecord register(String sha256, String originalName, long sizeBytes) {
    long now = clock.millis();
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO model (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)"
          + " ON CONFLICT (sha256) DO UPDATE SET last_used_at = excluded.last_used_at")) {
        ps.setString(1, sha256);
        ps.setString(2, originalName);
        ps.setLong(3, sizeBytes);
        ps.setLong(4, now);
        ps.setLong(5, now);
        ps.executeUpdate();
      }
      return null;
    });
    return require(sha256);
  }

  public Optional<ModelRecord> find(String sha256) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM model WHERE sha256 = ?")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
      }
    });
  }

  public ModelRecord require(String sha256) {
    return find(sha256).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "model_not_found",
        "No model with SHA-256 " + sha256 + " is stored; upload it first."));
  }

  /**
   * Sets or clears (null) a model's family label, e.g. {@code backbone=mobilenet_v3}; NOT_FOUND for a model never
   * registered. The caller validates the text.
   */
  public void setLabel(String sha256, String label) {
    int changed = db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE model SET label = ? WHERE sha256 = ?")) {
        ps.setString(1, label);
        ps.setString(2, sha256);
        return ps.executeUpdate();
      }
    });
    if (changed == 0) {
      throw new UserFacingException(Kind.NOT_FOUND, "model_not_found",
          "No model with SHA-256 " + sha256 + " is stored; upload it first.");
    }
  }

  /** A model's label; empty when unset or the model is not registered. */
  public Optional<String> label(String sha256) {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT label FROM model WHERE sha256 = ?")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /**
   * Deletes a model with everything derived from it: jobs, cells, events, engines (rows cascade) and the
   * engine files and cell logs. Refused with CONFLICT while one of its cells is running.
   */
  public void delete(String sha256) {
    require(sha256);
    List<String> engines = new ArrayList<>();
    List<Long> jobs = new ArrayList<>();
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM cell JOIN job ON job.id = cell.job_id"
          + " WHERE job.model_sha256 = ? AND cell.state = 'RUNNING'")) {
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) > 0) {
            throw new UserFacingException(Kind.CONFLICT, "model_in_use",
                "This model has cells running; cancel its jobs, wait for them to stop, then delete it.");
          }
        }
      }
      collect(c, "SELECT sha256 FROM engine WHERE model_sha256 = ?", sha256, rs -> engines.add(rs.getString(1)));
      collect(c, "SELECT id FROM job WHERE model_sha256 = ?", sha256, rs -> jobs.add(rs.getLong(1)));
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM model WHERE sha256 = ?")) {
        ps.setString(1, sha256);
        ps.executeUpdate();
      }
      return null;
    });
    // Files go after the rows commit: a crash in between leaves unreferenced files, never rows without files.
    try {
      for (String engine : engines) {
        EngineCatalog.deleteFiles(dataDir, engine);
      }
      for (long job : jobs) {
        logs.deleteJob(job);
      }
    } catch (IOException e) {
      LOG.warn("model {} deleted, but some of its files could not be removed", sha256, e);
      throw new UncheckedIOException(e);
    }
  }

  private interface RowAction {
    void accept(ResultSet rs) throws SQLException;
  }

  private static void collect(java.sql.Connection c, String sql, String key, RowAction action) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          action.accept(rs);
        }
      }
    }
  }

  private static ModelRecord row(ResultSet rs) throws SQLException {
    return new ModelRecord(rs.getString(1), rs.getString(2), rs.getLong(3), Instant.ofEpochMilli(rs.getLong(4)),
        Instant.ofEpochMilli(rs.getLong(5)));
  }
}
