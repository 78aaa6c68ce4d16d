package dev.trtcompat.jobs;

import dev.trtcompat.testing.Backend;
import org.junit.jupiter.api.Tag;

/** Two instances on one PostgreSQL database, claiming with FOR UPDATE SKIP LOCKED. */
@Tag("postgres")
class PostgresMultiInstanceTest extends MultiInstanceContract {
  PostgresMultiInstanceTest() {
    super(Backend.postgres());
  }
}
