package dev.trtcompat.testing;

import dev.trtcompat.store.DatabaseConfig;
import java.nio.file.Path;

/** Which real database a test class runs against; each contract test has one subclass per backend. */
public interface Backend {

  /** A new, empty database whose files live in {@code dataDir}. */
  DatabaseConfig newDatabase(Path dataDir);

  /** Drops what {@link #newDatabase} made. */
  default void dropDatabase() {}

  /** An SQLite file in the test's data folder. */
  static Backend sqlite() {
    return TestDatabases::sqlite;
  }

  /** A fresh database on the test PostgreSQL cluster, dropped afterwards. */
  static Backend postgres() {
    return new Backend() {
      private TestDatabases.FreshPostgres fresh;

      @Override
      public DatabaseConfig newDatabase(Path dataDir) {
        fresh = TestDatabases.freshPostgres();
        return fresh.config(dataDir);
      }

      @Override
      public void dropDatabase() {
        if (fresh != null) {
          fresh.close();
        }
      }
    };
  }
}
