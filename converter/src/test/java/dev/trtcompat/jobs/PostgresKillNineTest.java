package dev.trtcompat.jobs;

import dev.trtcompat.testing.Backend;
import org.junit.jupiter.api.Tag;

/** kill -9 of a runner process on PostgreSQL. */
@Tag("process")
@Tag("postgres")
class PostgresKillNineTest extends KillNineContract {
  PostgresKillNineTest() {
    super(Backend.postgres());
  }
}
