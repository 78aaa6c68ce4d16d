package dev.trtcompat.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A missing PostgreSQL fails the run with directions, unless skipping was asked for explicitly. */
class TestDatabasesTest {

  @Test
  void missingPostgresUrlFailsAndSaysHowToGetOne() {
    assertThatThrownBy(() -> TestDatabases.postgresAdminUrl(null, false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("scripts/test-all.sh")
        .hasMessageContaining("-Dtrtcompat.pg.optional=true");
  }

  @Test
  void missingPostgresUrlAbortsOnlyWhenOptional() {
    assertThatThrownBy(() -> TestDatabases.postgresAdminUrl("", true)).isInstanceOf(TestAbortedException.class);
    assertThat(TestDatabases.postgresAdminUrl("jdbc:postgresql://h:1/d", false)).isEqualTo("jdbc:postgresql://h:1/d");
  }

  @Test
  void databaseNameReplacesThePathAndKeepsTheQuery() {
    assertThat(TestDatabases.withDatabase("jdbc:postgresql://127.0.0.1:55432/trtcompat_test?user=u&password=p", "t_1"))
        .isEqualTo("jdbc:postgresql://127.0.0.1:55432/t_1?user=u&password=p");
  }
}
