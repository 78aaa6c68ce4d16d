package dev.trtcompat.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.TestDatabases;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite and PostgreSQL migrations produce the same tables with the same columns and nullability. */
@Tag("postgres")
class SchemaParityTest {

  @TempDir Path dataDir;

  @Test
  void bothDatabasesHaveTheSameTablesAndColumns() {
    Map<String, TreeSet<String>> sqlite;
    try (Database db = Database.open(TestDatabases.sqlite(dataDir))) {
      sqlite = columns(db);
    }
    Map<String, TreeSet<String>> postgres;
    try (TestDatabases.FreshPostgres pg = TestDatabases.freshPostgres();
        Database db = pg.open(dataDir)) {
      postgres = columns(db);
    }
    assertThat(postgres).isEqualTo(sqlite);
    assertThat(sqlite.get("cell")).contains("state nullable=false", "owner nullable=true", "lease_until nullable=true");
  }

  private static Map<String, TreeSet<String>> columns(Database db) {
    return db.read(c -> {
      Map<String, TreeSet<String>> tables = new TreeMap<>();
      for (String table : MigrationsContract.tables(db)) {
        if (table.startsWith("flyway") || table.startsWith("sqlite_")) {
          continue;
        }
        TreeSet<String> cols = new TreeSet<>();
        try (ResultSet rs = c.getMetaData().getColumns(null, null, table, "%")) {
          while (rs.next()) {
            // PRIMARY KEY columns are implicitly NOT NULL in PostgreSQL but not reported so by SQLite.
            String name = rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT);
            boolean nullable = rs.getInt("NULLABLE") != java.sql.DatabaseMetaData.columnNoNulls;
            cols.add(name + (name.equals("id") || name.equals("sha256") ? "" : " nullable=" + nullable));
          }
        }
        tables.put(table, cols);
      }
      return tables;
    });
  }
}
