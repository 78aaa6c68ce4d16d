package dev.trtcompat.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.fix.FixPipeline;
import dev.trtcompat.json.Json;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@code "int64Io": true} in the fix API's body adds the opt-in int64-io pass, as the CLI's --int64-io does. */
class FixSpecInt64IoTest {

  static FixSpec spec(String body) throws IOException {
    return Json.mapper().readValue(body, FixSpec.Request.class).toSpec();
  }

  @Test
  void int64IoAddsThePassToTheDefaultsOrToThePassesNamed() throws IOException {
    assertThat(spec("{\"int64Io\": true}").passes()).endsWith("int64-io").contains("fold-constants", "clean-up")
        .hasSize(FixPipeline.knownNames().size());
    assertThat(spec("{\"passes\": [\"clean-up\"], \"int64Io\": true}").passes()).containsExactly("clean-up", "int64-io");
  }

  @Test
  void withoutItThePassesAreAsNamed() throws IOException {
    assertThat(spec("{}").passes()).isEmpty();
    assertThat(spec("{\"int64Io\": false, \"passes\": [\"clean-up\"]}").passes()).containsExactly("clean-up");
  }
}
