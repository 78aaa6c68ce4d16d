package dev.trtcompat.catalog;

import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.conversion.EngineStore;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database index over an {@link EngineStore}: one row per stored engine (which model, cell, release and
 * precision built it; when it was last wanted) and a disk quota. The engine files stay where the conversion put
 * them; when the engines together pass the quota, the least recently used (last downloaded, else created) are
 * evicted from the store. An evicted engine can be rebuilt by retrying its cell.
 */
public final class EngineCatalog {

  private static final Logger LOG = LoggerFactory.getLogger(EngineCatalog.class);
  private static final String COLUMNS = "sha256, model_sha256, cell_id, trt_release, precision_mode, image_digest,"
      + " gpu, flags, build_seconds, size_bytes, created_at, last_downloaded_at";

  private final Database db;
  private final EngineStore store;
  private final EarlierEngineLayout earlierLayout;
  private final long quotaBytes;
  private final Clock clock;

  /** @param quotaBytes the most bytes of engines kept on disk */
  public EngineCatalog(Database db, EngineStore store, long quotaBytes, Clock clock) {
    if (quotaBytes < 0) {
      throw new IllegalArgumentException("quotaBytes must not be negative");
    }
    this.db = db;
    this.store = store;
    this.earlierLayout = new EarlierEngineLayout(store.enginesDir());
    this.quotaBytes = quotaBytes;
    this.clock = clock;
  }

  /** The folder of the engines in a data folder: the catalog's store keeps its engines there. */
  public static Path enginesDir(Path dataDir) {
    return dataDir.resolve("engines");
  }

  /** Removes an engine's files, in either layout, from a data folder (deleting a model). */
  static void deleteFiles(Path dataDir, String sha256) throws IOException {
    EngineStore.delete(enginesDir(dataDir), sha256);
    new EarlierEngineLayout(enginesDir(dataDir)).delete(sha256);
  }

  /**
   * Indexes an engine the store already holds (a conversion just put it there), then evicts older engines until
   * the quota holds. The new engine itself is never evicted by its own arrival, even if it alone exceeds the
   * quota: the user is about to download it. Indexing the same engine again changes nothing.
   */
  public EngineRecord index(EngineBuild build, String sha256) {
    long size = store.get(sha256).map(EngineArtifact::bytes)
        .orElseThrow(() -> new IllegalStateException("engine " + sha256 + " is not in the store"));
    long now = clock.millis();
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO engine (" + COLUMNS + ")"
          + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT (sha256) DO NOTHING")) {
        ps.setString(1, sha256);
        ps.setString(2, build.modelSha256());
        if (build.cellId() == null) {
          ps.setNull(3, Types.BIGINT);
        } else {
          ps.setLong(3, build.cellId());
        }
        ps.setString(4, build.trtRelease());
        ps.setString(5, build.precision().name());
        ps.setString(6, build.imageDigest());
        ps.setString(7, build.gpu());
        ps.setString(8, build.flags());
        if (build.buildSeconds() == null) {
          ps.setNull(9, Types.DOUBLE);
        } else {
          ps.setDouble(9, build.buildSeconds());
        }
        ps.setLong(10, size);
        ps.setLong(11, now);
        ps.executeUpdate();
      }
      return null;
    });
    enforceQuota(sha256);
    return require(sha256);
  }

  public Optional<EngineRecord> find(String sha256) {
    List<EngineRecord> found = query("SELECT " + COLUMNS + " FROM engine WHERE sha256 = ?", sha256);
    return found.stream().findFirst();
  }

  public EngineRecord require(String sha256) {
    return find(sha256).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "engine_not_found",
        "No engine " + sha256 + " is stored; it may have been evicted to stay within the disk quota."
            + " Retry its cell to build it again."));
  }

  public List<EngineRecord> forModel(String modelSha256) {
    return query("SELECT " + COLUMNS + " FROM engine WHERE model_sha256 = ? ORDER BY created_at, sha256",
        modelSha256);
  }

  /** Marks an engine as wanted now (it moves to the back of the eviction order) and returns its file. */
  public Path download(String sha256) {
    long now = clock.millis();
    int updated = db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("UPDATE engine SET last_downloaded_at = ? WHERE sha256 = ?")) {
        ps.setLong(1, now);
        ps.setString(2, sha256);
        return ps.executeUpdate();
      }
    });
    if (updated == 0) {
      require(sha256); // throws NOT_FOUND with the user message
    }
    return engineFile(sha256).orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "engine_file_missing",
        "The engine's file is missing from the data folder; retry its cell to build it again."));
  }

  /** The engine's file, in the store or where an earlier version of the catalog copied it. */
  private Optional<Path> engineFile(String sha256) {
    Optional<Path> stored = store.engineFile(sha256);
    if (stored.isPresent()) {
      return stored;
    }
    Path earlier = earlierLayout.path(sha256);
    return Files.exists(earlier) ? Optional.of(earlier) : Optional.empty();
  }

  /** Bytes of all stored engines. */
  public long usedBytes() {
    return db.read(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(size_bytes), 0) FROM engine");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /**
   * Evicts least recently used engines (never {@code keep}) until the total is within the quota; returns
   * what it evicted, oldest first.
   */
  public List<EngineRecord> enforceQuota(String keep) {
    List<EngineRecord> evicted = db.inTransaction(c -> {
      List<EngineRecord> all = engines(c, "SELECT " + COLUMNS + " FROM engine"
          + " ORDER BY COALESCE(last_downloaded_at, created_at), created_at, sha256");
      long used = all.stream().mapToLong(EngineRecord::sizeBytes).sum();
      List<EngineRecord> out = new ArrayList<>();
      for (EngineRecord engine : all) {
        if (used <= quotaBytes) {
          break;
        }
        if (engine.sha256().equals(keep)) {
          continue;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM engine WHERE sha256 = ?")) {
          ps.setString(1, engine.sha256());
          if (ps.executeUpdate() == 1) {
            used -= engine.sizeBytes();
            out.add(engine);
          }
        }
      }
      return out;
    });
    for (EngineRecord engine : evicted) {
      try {
        store.delete(engine.sha256());
        earlierLayout.delete(engine.sha256());
        LOG.info("evicted engine {} ({} bytes, last used {}) to stay within the {} byte quota", engine.sha256(),
            engine.sizeBytes(), engine.lastUsed(), quotaBytes);
      } catch (IOException e) {
        LOG.warn("engine {} evicted, but its file could not be removed", engine.sha256(), e);
      }
    }
    return evicted;
  }

  private List<EngineRecord> query(String sql, Object... args) {
    return db.read(c -> engines(c, sql, args));
  }

  private static List<EngineRecord> engines(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<EngineRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long cell = rs.getLong(3);
          Long cellId = rs.wasNull() ? null : cell;
          double seconds = rs.getDouble(9);
          Double buildSeconds = rs.wasNull() ? null : seconds;
          long downloaded = rs.getLong(12);
          Instant lastDownloaded = rs.wasNull() ? null : Instant.ofEpochMilli(downloaded);
          EngineBuild build = new EngineBuild(rs.getString(2), cellId, rs.getString(4),
              Precision.valueOf(rs.getString(5)), rs.getString(6), rs.getString(7), rs.getString(8), buildSeconds);
          out.add(new EngineRecord(rs.getString(1), build, rs.getLong(10), Instant.ofEpochMilli(rs.getLong(11)),
              lastDownloaded));
        }
      }
      return out;
    }
  }
}
