package dev.trtcompat.store;

import dev.trtcompat.testing.Backend;
import org.junit.jupiter.api.Tag;

/** Migrations on PostgreSQL. */
@Tag("postgres")
class PostgresMigrationsTest extends MigrationsContract {

  PostgresMigrationsTest() {
    super(Backend.postgres());
  }
}
