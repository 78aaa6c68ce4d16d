package dev.trtcompat.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where the Docker engine is and how to talk to it: a local unix socket, or a remote GPU host over TCP with
 * TLS. Built from the same environment variables the docker CLI reads, so one setting serves both.
 *
 * @param dockerHost {@code unix:///path} or {@code tcp://host:port}
 * @param tlsVerify verify the engine's certificate and present ours (DOCKER_TLS_VERIFY=1)
 * @param certPath folder with ca.pem, cert.pem and key.pem (DOCKER_CERT_PATH); null when TLS is off
 * @param pingTimeout how long the start-up ping may take before the engine counts as unreachable
 * @param connectTimeout how long opening a connection may take for every later call
 */
public record DockerSettings(String dockerHost, boolean tlsVerify, Path certPath, Duration pingTimeout,
    Duration connectTimeout) {

  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  public DockerSettings {
    Objects.requireNonNull(dockerHost, "dockerHost");
    Objects.requireNonNull(pingTimeout, "pingTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (!dockerHost.startsWith("unix://") && !dockerHost.startsWith("tcp://")) {
      throw new IllegalArgumentException("DOCKER_HOST must start with unix:// or tcp://, got '" + dockerHost + "'");
    }
    if (tlsVerify && certPath == null) {
      throw new IllegalArgumentException("DOCKER_TLS_VERIFY is set but DOCKER_CERT_PATH is not");
    }
    if (pingTimeout.isNegative() || pingTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("Docker timeouts must be positive");
    }
  }

  /** The local engine with short timeouts: a ping answers in milliseconds when the engine is up. */
  public static DockerSettings local() {
    return new DockerSettings(DEFAULT_HOST, false, null, Duration.ofSeconds(3), Duration.ofSeconds(3));
  }

  /** Reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH from {@code env}; unset means the local socket. */
  public static DockerSettings fromEnvironment(Map<String, String> env) {
    String host = env.getOrDefault("DOCKER_HOST", "").strip();
    boolean tls = "1".equals(env.get("DOCKER_TLS_VERIFY")) || "true".equalsIgnoreCase(env.get("DOCKER_TLS_VERIFY"));
    String certs = env.getOrDefault("DOCKER_CERT_PATH", "").strip();
    Path certPath = certs.isEmpty()
        ? (tls ? Path.of(System.getProperty("user.home"), ".docker") : null)
        : Path.of(certs);
    return new DockerSettings(host.isEmpty() ? DEFAULT_HOST : host, tls, certPath,
        Duration.ofSeconds(3), Duration.ofSeconds(3));
  }

  public DockerSettings withPingTimeout(Duration timeout) {
    return new DockerSettings(dockerHost, tlsVerify, certPath, timeout, connectTimeout);
  }
}
