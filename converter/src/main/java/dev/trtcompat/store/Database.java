package dev.trtcompat.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.trtcompat.errors.UserFacingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The service's database: a pooled connection source whose schema is migrated to the newest version on
 * open. Closing it closes the pool.
 */
public final class Database implements AutoCloseable {

  private final HikariDataSource pool;
  private final Dialect dialect;

  private Database(HikariDataSource pool, Dialect dialect) {
    this.pool = pool;
    this.dialect = dialect;
  }

  /** Opens the pool and applies pending migrations; fails with a user-facing message if unreachable. */
  public static Database open(DatabaseConfig config) {
    Dialect dialect = Dialect.of(config.jdbcUrl());
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("trt-compat-db");
    hikari.setMaximumPoolSize(config.maxPoolSize());
    hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
    // Failing here rather than on first use gives the operator one clear message at start-up.
    hikari.setInitializationFailTimeout(config.connectionTimeout().toMillis());
    if (dialect == Dialect.SQLITE) {
      hikari.setDataSource(sqlite(config));
    } else {
      hikari.setJdbcUrl(config.jdbcUrl());
      if (config.user() != null) {
        hikari.setUsername(config.user());
      }
      if (config.password() != null) {
        hikari.setPassword(config.password());
      }
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(hikari);
    } catch (RuntimeException e) {
      throw new UserFacingException(
          UserFacingException.Kind.UNAVAILABLE,
          "database_unavailable",
          "Cannot connect to the database (" + describe(config) + "): " + rootMessage(e)
              + ". Check the JDBC URL, user and password, and that the server is running.",
          e);
    }
    try {
      migrate(pool, dialect);
    } catch (FlywayException e) {
      pool.close();
      throw new UserFacingException(
          UserFacingException.Kind.UNAVAILABLE,
          "database_migration_failed",
          "The database schema could not be brought up to date: " + rootMessage(e)
              + ". The database may belong to a newer trt-compat; use that version or a fresh database.",
          e);
    }
    return new Database(pool, dialect);
  }

  private static DataSource sqlite(DatabaseConfig config) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    SQLiteConfig sqlite = new SQLiteConfig();
    // WAL: readers never block the writer. synchronous=FULL: a committed transaction survives a
    // kill -9 and a power cut, which is what "nothing accepted is lost" asks for.
    sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
    sqlite.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    sqlite.enforceForeignKeys(true);
    sqlite.setBusyTimeout(30_000);
    // Take the writer lock at BEGIN, so two transactions never deadlock upgrading read locks to write.
    sqlite.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource source = new SQLiteDataSource(sqlite);
    source.setUrl("jdbc:sqlite:" + config.embeddedFile().toAbsolutePath());
    return source;
  }

  private static void migrate(DataSource source, Dialect dialect) {
    Flyway.configure()
        .dataSource(source)
        .locations(dialect.migrationLocation())
        .failOnMissingLocations(true)
        .load()
        .migrate();
  }

  private static String describe(DatabaseConfig config) {
    if (config.jdbcUrl() == null) {
      return config.embeddedFile().toString();
    }
    String url = config.jdbcUrl();
    int query = url.indexOf('?');
    // The query part may carry a password.
    return query < 0 ? url : url.substring(0, query);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message.lines().findFirst().orElse("");
  }

  public Dialect dialect() {
    return dialect;
  }

  public DataSource dataSource() {
    return pool;
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  public <T> T inTransaction(SqlWork<T> work) {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c, e);
        throw e;
      }
    } catch (SQLException e) {
      throw new DatabaseException(e);
    }
  }

  /** Runs read-only {@code work} in autocommit mode (no writer lock on SQLite). */
  public <T> T read(SqlWork<T> work) {
    try (Connection c = pool.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new DatabaseException(e);
    }
  }

  private static void rollbackQuietly(Connection c, Throwable cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
