package dev.trtcompat.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.Backend;
import org.junit.jupiter.api.Test;

/** Migrations on the embedded database. */
class SqliteMigrationsTest extends MigrationsContract {

  SqliteMigrationsTest() {
    super(Backend.sqlite());
  }

  @Test
  void embeddedDatabaseIsAFileInTheDataFolderInWalMode() {
    try (Database db = Database.open(DatabaseConfig.embedded(dataDir))) {
      assertThat(db.dialect()).isEqualTo(Dialect.SQLITE);
      String mode = db.read(c -> {
        try (var rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
          rs.next();
          return rs.getString(1);
        }
      });
      assertThat(mode).isEqualToIgnoringCase("wal");
    }
    assertThat(dataDir.resolve("trt-compat.db")).isRegularFile();
  }
}
