package dev.trtcompat.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.fix.FixPipeline;
import dev.trtcompat.json.Json;
import java.io.IOException;
import java.util.List;
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

  @Test
  void thePageFormsSwitchDoesWhatTheApiFlagDoes() {
    assertThat(FixSpec.fromForm(List.of(), "", List.of(), true).passes()).endsWith("int64-io")
        .hasSize(FixPipeline.knownNames().size());
    assertThat(FixSpec.fromForm(List.of("8.6"), "", List.of("clean-up"), true).passes())
        .containsExactly("clean-up", "int64-io");
    assertThat(FixSpec.fromForm(List.of(), "", List.of("clean-up"), false).passes()).containsExactly("clean-up");
  }
}
