package dev.trtcompat.jobs;

import dev.trtcompat.testing.Backend;
import org.junit.jupiter.api.Tag;

/** Jobs on PostgreSQL. */
@Tag("postgres")
class PostgresJobsTest extends JobsContract {
  PostgresJobsTest() {
    super(Backend.postgres());
  }
}
