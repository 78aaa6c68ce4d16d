package dev.trtcompat.testing;

import dev.trtcompat.store.Database;
import dev.trtcompat.store.DatabaseConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Real databases for tests: SQLite files in a temporary folder, and fresh databases on the throwaway
 * PostgreSQL cluster that scripts/test-all.sh starts (TRTCOMPAT_TEST_PG_URL).
 */
public final class TestDatabases {

  public static final String PG_URL_VARIABLE = "TRTCOMPAT_TEST_PG_URL";
  public static final String PG_OPTIONAL_PROPERTY = "trtcompat.pg.optional";

  private TestDatabases() {}

  public static DatabaseConfig sqlite(Path dataDir) {
    return DatabaseConfig.embedded(dataDir);
  }

  /**
   * The PostgreSQL cluster's URL. Unset means the tests were not started by scripts/test-all.sh: that is a
   * failure (a skipped PostgreSQL test would hide the multi-instance guarantees), unless the run opts out
   * with -Dtrtcompat.pg.optional=true.
   */
  public static String postgresAdminUrl() {
    return postgresAdminUrl(System.getenv(PG_URL_VARIABLE), Boolean.getBoolean(PG_OPTIONAL_PROPERTY));
  }

  static String postgresAdminUrl(String value, boolean optional) {
    if (value != null && !value.isBlank()) {
      return value;
    }
    String message = PG_URL_VARIABLE + " is not set, so there is no PostgreSQL to test against. Run"
        + " scripts/test-all.sh (or eval \"$(scripts/test-postgres.sh)\" before ./mvnw), or pass -D"
        + PG_OPTIONAL_PROPERTY + "=true to skip the PostgreSQL tests on purpose.";
    if (optional) {
      Assumptions.abort(message);
    }
    throw new AssertionError(message);
  }

  /** A new, empty PostgreSQL database of its own; dropped on close. */
  public static FreshPostgres freshPostgres() {
    String admin = postgresAdminUrl();
    String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    execute(admin, "CREATE DATABASE " + name);
    return new FreshPostgres(admin, name, withDatabase(admin, name));
  }

  /** A throwaway database: its JDBC URL, and a drop on close. */
  public record FreshPostgres(String adminUrl, String name, String url) implements AutoCloseable {

    public DatabaseConfig config(Path dataDir) {
      return DatabaseConfig.postgres(dataDir, url, null, null);
    }

    public Database open(Path dataDir) {
      return Database.open(config(dataDir));
    }

    @Override
    public void close() {
      execute(adminUrl, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }
  }

  static String withDatabase(String url, String database) {
    int start = "jdbc:postgresql://".length();
    int slash = url.indexOf('/', start);
    int query = url.indexOf('?', start);
    String hostPart = url.substring(0, slash < 0 ? (query < 0 ? url.length() : query) : slash);
    String rest = query < 0 ? "" : url.substring(query);
    return hostPart + "/" + database + rest;
  }

  private static void execute(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new AssertionError("PostgreSQL at " + url.replaceAll("password=[^&]*", "password=***")
          + " refused: " + sql + " (" + e.getMessage() + "); is the cluster of scripts/test-all.sh running?", e);
    }
  }
}
