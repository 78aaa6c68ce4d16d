package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerSettingsTest {

  @Test
  void noEnvironmentMeansTheLocalSocketWithoutTls() {
    DockerSettings s = DockerSettings.fromEnvironment(Map.of());
    assertThat(s.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(s.tlsVerify()).isFalse();
    assertThat(s.certPath()).isNull();
    assertThat(s.pingTimeout().toSeconds()).isEqualTo(3);
  }

  @Test
  void remoteGpuHostWithTls() {
    DockerSettings s = DockerSettings.fromEnvironment(Map.of("DOCKER_HOST", "tcp://gpu-box:2376",
        "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", "/etc/trt-compat/docker-certs"));
    assertThat(s.dockerHost()).isEqualTo("tcp://gpu-box:2376");
    assertThat(s.tlsVerify()).isTrue();
    assertThat(s.certPath()).isEqualTo(Path.of("/etc/trt-compat/docker-certs"));
  }

  @Test
  void rejectsHostsDockerJavaCannotUse() {
    assertThatThrownBy(() -> DockerSettings.fromEnvironment(Map.of("DOCKER_HOST", "ssh://user@host")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unix:// or tcp://");
  }
}
