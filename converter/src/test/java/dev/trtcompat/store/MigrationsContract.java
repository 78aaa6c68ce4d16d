package dev.trtcompat.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.Backend;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migrations apply to an empty database, are recorded, and apply nothing twice. */
abstract class MigrationsContract {

  @TempDir Path dataDir;
  private final Backend backend;

  MigrationsContract(Backend backend) {
    this.backend = backend;
  }

  @AfterEach
  void drop() {
    backend.dropDatabase();
  }

  @Test
  void migrationsCreateTheSchemaAndRecordTheirVersion() {
    DatabaseConfig config = backend.newDatabase(dataDir);
    try (Database db = Database.open(config)) {
      assertThat(tables(db)).contains("model", "job", "cell", "cell_event", "engine", "submission_gate", "upload_session",
          "upload_file");
      assertThat(appliedVersions(db)).containsExactly("1", "2", "3");
    }
    // Opening again (a restart) applies nothing new and keeps the data.
    try (Database db = Database.open(config)) {
      assertThat(appliedVersions(db)).containsExactly("1", "2", "3");
      int gateRows = db.read(c -> {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM submission_gate")) {
          rs.next();
          return rs.getInt(1);
        }
      });
      assertThat(gateRows).isEqualTo(1);
    }
  }

  @Test
  void foreignKeysCascadeFromModelToCellsAndEvents() {
    try (Database db = Database.open(backend.newDatabase(dataDir))) {
      db.inTransaction(c -> {
        c.createStatement().execute("INSERT INTO model (sha256, original_name, size_bytes, uploaded_at, last_used_at)"
            + " VALUES ('" + "a".repeat(64) + "', 'm.onnx', 1, 0, 0)");
        c.createStatement().execute("INSERT INTO job (model_sha256, client_id, request_sha256, request_json,"
            + " created_at) VALUES ('" + "a".repeat(64) + "', 'c', 'r', '{}', 0)");
        c.createStatement().execute("INSERT INTO cell (job_id, kind, state, created_at, updated_at)"
            + " SELECT id, 'ORT_REFERENCE', 'QUEUED', 0, 0 FROM job");
        return null;
      });
      db.inTransaction(c -> c.createStatement().execute("DELETE FROM model"));
      int cells = db.read(c -> {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM cell")) {
          rs.next();
          return rs.getInt(1);
        }
      });
      assertThat(cells).isZero();
    }
  }

  static List<String> tables(Database db) {
    return db.read(c -> {
      List<String> names = new ArrayList<>();
      try (ResultSet rs = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
        while (rs.next()) {
          names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
        }
      }
      return names;
    });
  }

  private static List<String> appliedVersions(Database db) {
    return db.read(c -> {
      List<String> versions = new ArrayList<>();
      try (ResultSet rs = c.createStatement().executeQuery(
          "SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL"
              + " ORDER BY installed_rank")) {
        while (rs.next()) {
          versions.add(rs.getString(1));
        }
      }
      return versions;
    });
  }
}
