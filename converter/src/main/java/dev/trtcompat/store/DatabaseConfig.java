package dev.trtcompat.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the service keeps its state: an SQLite file in the data folder unless a PostgreSQL JDBC URL is
 * configured (several service instances then share one queue).
 *
 * @param dataDir the data folder; the embedded database lives at {@code dataDir/trt-compat.db}
 * @param jdbcUrl a {@code jdbc:postgresql:} URL, or null for the embedded database
 * @param user database user for {@code jdbcUrl} (may also be given inside the URL), or null
 * @param password database password for {@code jdbcUrl}, or null
 * @param maxPoolSize connections kept by the pool
 * @param connectionTimeout how long to wait for a free or new connection before giving up
 */
public record DatabaseConfig(
    Path dataDir, String jdbcUrl, String user, String password, int maxPoolSize, Duration connectionTimeout) {

  public DatabaseConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    if (maxPoolSize < 1) {
      throw new IllegalArgumentException("maxPoolSize must be at least 1");
    }
    if (jdbcUrl != null && jdbcUrl.isBlank()) {
      jdbcUrl = null;
    }
  }

  /** The default: an SQLite file in the data folder. */
  public static DatabaseConfig embedded(Path dataDir) {
    return new DatabaseConfig(dataDir, null, null, null, 4, Duration.ofSeconds(30));
  }

  /** A shared PostgreSQL database; files (models, engines, logs) still live in {@code dataDir}. */
  public static DatabaseConfig postgres(Path dataDir, String jdbcUrl, String user, String password) {
    return new DatabaseConfig(dataDir, jdbcUrl, user, password, 10, Duration.ofSeconds(30));
  }

  public DatabaseConfig withMaxPoolSize(int size) {
    return new DatabaseConfig(dataDir, jdbcUrl, user, password, size, connectionTimeout);
  }

  /** The embedded database file, used only when no JDBC URL is configured. */
  public Path embeddedFile() {
    return dataDir.resolve("trt-compat.db");
  }
}
