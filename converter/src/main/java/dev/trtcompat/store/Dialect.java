package dev.trtcompat.store;

/** The SQL differences between the two supported databases, kept in one place. */
public enum Dialect {
  /**
   * Embedded. Every write transaction starts with {@code BEGIN IMMEDIATE} and so holds the single writer
   * lock from its first statement: a select-then-update inside one transaction is already atomic.
   */
  SQLITE("sqlite", ""),
  /**
   * Shared. Row locks taken with {@code FOR UPDATE SKIP LOCKED} let several instances claim different
   * rows at the same time without waiting for each other.
   */
  POSTGRESQL("postgresql", " FOR UPDATE SKIP LOCKED");

  private final String migrationFolder;
  private final String claimLock;

  Dialect(String migrationFolder, String claimLock) {
    this.migrationFolder = migrationFolder;
    this.claimLock = claimLock;
  }

  /** Flyway location of this database's migrations. */
  public String migrationLocation() {
    return "classpath:db/migration/" + migrationFolder;
  }

  /** Appended to a select of rows to claim: locks them for this transaction, skipping rows others hold. */
  public String claimLock() {
    return claimLock;
  }

  static Dialect of(String jdbcUrl) {
    if (jdbcUrl == null) {
      return SQLITE;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    if (jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    throw new IllegalArgumentException("unsupported JDBC URL (expected jdbc:postgresql:...): " + jdbcUrl);
  }
}
