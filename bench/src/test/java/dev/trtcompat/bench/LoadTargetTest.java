package dev.trtcompat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LoadTargetTest {

  @Test
  void acceptsLoopbackUrlsAndKeepsPathAndQuery() {
    LoadTarget t = LoadTarget.parse("http://127.0.0.1:7070/api/v1/models/abc/matrix?x=1");

    assertThat(t.address().isLoopbackAddress()).isTrue();
    assertThat(t.port()).isEqualTo(7070);
    assertThat(t.path()).isEqualTo("/api/v1/models/abc/matrix?x=1");
    assertThat(t.hostHeader()).isEqualTo("127.0.0.1:7070");
    assertThat(LoadTarget.parse("http://localhost:80").path()).isEqualTo("/");
    assertThat(LoadTarget.parse("http://LOCALHOST/models/x").address().isLoopbackAddress()).isTrue();
    assertThat(LoadTarget.parse("http://[::1]:9000/").address().isLoopbackAddress()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "http://10.0.0.1:7070/",
      "http://192.168.1.5/models/x",
      "http://example.com/",
      "http://127.0.0.2:7070/",            // loopback range, but not the address the service binds
      "http://localhost.example.com/",
      "http://127.0.0.1.nip.io/",
      "http://0.0.0.0:7070/",
      "https://127.0.0.1:7070/",          // the service speaks plain HTTP only
      "ftp://127.0.0.1/",
      "/models/x",
      "http://user@10.1.2.3/"})
  void refusesAnythingNotOnTheLoopbackInterface(String url) {
    assertThatThrownBy(() -> LoadTarget.parse(url)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theCommandLineRefusesANonLoopbackUrlAmongGoodOnes() {
    assertThatThrownBy(() -> WebLoad.Options.parse("--clients", "2", "http://127.0.0.1:1/", "http://10.0.0.1:1/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.0.0.1");
  }
}
