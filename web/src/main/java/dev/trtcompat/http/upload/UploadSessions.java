package dev.trtcompat.http.upload;

import dev.trtcompat.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The database rows of resumable uploads ({@code upload_session}, {@code upload_file}): what survives a restart. */
final class UploadSessions {

  /**
   * One declared file.
   *
   * @param index its place in the declaration (the model is 0); also its file name in the upload's folder
   * @param received bytes already on disk and forced there
   * @param actualSha256 the SHA-256 of its bytes, once all of them are received
   */
  record FileRow(int index, String name, boolean model, long size, String declaredSha256, long received,
      String actualSha256) {

    boolean whole() {
      return received == size;
    }
  }

  /** One upload in progress. */
  record Session(String id, String clientId, long createdAt, long updatedAt, List<FileRow> files) {

    Optional<FileRow> file(String name) {
      return files.stream().filter(f -> f.name().equals(name)).findFirst();
    }
  }

  private final Database db;

  UploadSessions(Database db) {
    this.db = db;
  }

  void create(Session s) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO upload_session (id, client_id, created_at, updated_at) VALUES (?, ?, ?, ?)")) {
        ps.setString(1, s.id());
        ps.setString(2, s.clientId());
        ps.setLong(3, s.createdAt());
        ps.setLong(4, s.updatedAt());
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO upload_file (upload_id, file_index, name, is_model,"
          + " size_bytes, declared_sha256, received_bytes, actual_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        for (FileRow f : s.files()) {
          ps.setString(1, s.id());
          ps.setInt(2, f.index());
          ps.setString(3, f.name());
          ps.setBoolean(4, f.model());
          ps.setLong(5, f.size());
          setNullable(ps, 6, f.declaredSha256());
          ps.setLong(7, f.received());
          setNullable(ps, 8, f.actualSha256());
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return null;
    });
  }

  Optional<Session> find(String id) {
    return db.read(c -> {
      Session head;
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT client_id, created_at, updated_at FROM upload_session WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          head = new Session(id, rs.getString(1), rs.getLong(2), rs.getLong(3), List.of());
        }
      }
      return Optional.of(new Session(id, head.clientId(), head.createdAt(), head.updatedAt(), files(c, id)));
    });
  }

  /** Records how many bytes of a file are on disk (and its hash once whole), and that the upload is alive. */
  void advance(String id, String name, long received, String actualSha256, long now) {
    db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "UPDATE upload_file SET received_bytes = ?, actual_sha256 = ? WHERE upload_id = ? AND name = ?")) {
        ps.setLong(1, received);
        setNullable(ps, 2, actualSha256);
        ps.setString(3, id);
        ps.setString(4, name);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("UPDATE upload_session SET updated_at = ? WHERE id = ?")) {
        ps.setLong(1, now);
        ps.setString(2, id);
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Removes the upload's rows; false when there were none. */
  boolean delete(String id) {
    return db.inTransaction(c -> {
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM upload_file WHERE upload_id = ?")) {
        ps.setString(1, id);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM upload_session WHERE id = ?")) {
        ps.setString(1, id);
        return ps.executeUpdate() > 0;
      }
    });
  }

  /** Per unfinished upload, the bytes declared but not yet received (upload id to bytes), in one query. */
  Map<String, Long> outstandingBytes() {
    return db.read(c -> {
      Map<String, Long> out = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT upload_id, SUM(size_bytes - received_bytes)"
          + " FROM upload_file GROUP BY upload_id");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      return out;
    });
  }

  /** Ids of uploads that received nothing since {@code before} (epoch ms). */
  List<String> idleSince(long before) {
    return ids("SELECT id FROM upload_session WHERE updated_at < ?", before);
  }

  private List<String> ids(String sql, long param) {
    return db.read(c -> {
      List<String> out = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setLong(1, param);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
      }
      return out;
    });
  }

  private static List<FileRow> files(Connection c, String id) throws SQLException {
    List<FileRow> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT file_index, name, is_model, size_bytes, declared_sha256,"
        + " received_bytes, actual_sha256 FROM upload_file WHERE upload_id = ? ORDER BY file_index")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new FileRow(rs.getInt(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4), rs.getString(5),
              rs.getLong(6), rs.getString(7)));
        }
      }
    }
    return out;
  }

  private static void setNullable(PreparedStatement ps, int i, String value) throws SQLException {
    if (value == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, value);
    }
  }
}
