package dev.trtcompat.jobs;

import dev.trtcompat.testing.Backend;

/** Jobs on the embedded database. */
class SqliteJobsTest extends JobsContract {
  SqliteJobsTest() {
    super(Backend.sqlite());
  }
}
