package dev.trtcompat.jobs;

import dev.trtcompat.testing.Backend;
import org.junit.jupiter.api.Tag;

/** kill -9 of a runner process on the embedded database. */
@Tag("process")
class SqliteKillNineTest extends KillNineContract {
  SqliteKillNineTest() {
    super(Backend.sqlite());
  }
}
