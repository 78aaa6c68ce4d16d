package dev.trtcompat.jobs;

import dev.trtcompat.testing.Backend;

/** The embedded database's claim (select and update under the writer lock) is atomic across pools too. */
class SqliteMultiInstanceTest extends MultiInstanceContract {
  SqliteMultiInstanceTest() {
    super(Backend.sqlite());
  }
}
