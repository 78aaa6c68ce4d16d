package dev.trtcompat.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * A connection to one Docker engine, verified by a ping with a short explicit timeout when it is opened.
 * Close it to release its connections.
 */
public final class DockerEngine implements AutoCloseable {

  private final DockerSettings settings;
  private final DockerClient client;

  private DockerEngine(DockerSettings settings, DockerClient client) {
    this.settings = settings;
    this.client = client;
  }

  /**
   * Opens and pings the engine.
   *
   * @throws DockerUnavailableException when the ping fails or does not answer within the ping timeout
   */
  public static DockerEngine connect(DockerSettings settings) {
    DefaultDockerClientConfig config = config(settings);
    // A separate client for the ping: its response timeout must be short, while the main client's must not
    // be, since following logs and waiting for exit are long-lived responses.
    try (DockerClient probe = client(config, settings, settings.pingTimeout())) {
      probe.pingCmd().exec();
    } catch (RuntimeException | IOException e) {
      throw DockerUnavailableException.unreachable(settings, e);
    }
    return new DockerEngine(settings, client(config, settings, null));
  }

  public DockerSettings settings() {
    return settings;
  }

  /** Pings again; for health checks. */
  public void ping() {
    try {
      client.pingCmd().exec();
    } catch (RuntimeException e) {
      throw DockerUnavailableException.unreachable(settings, e);
    }
  }

  /** Whether the engine lists a runtime named {@code nvidia} (the NVIDIA Container Toolkit's runtime). */
  public boolean hasNvidiaRuntime() {
    Info info = client.infoCmd().exec();
    Map<String, ?> runtimes = info.getRuntimes();
    return runtimes != null && runtimes.containsKey("nvidia");
  }

  DockerClient client() {
    return client;
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (IOException e) {
      // Nothing left to release on a failed close; the connections die with the process.
    }
  }

  private static DefaultDockerClientConfig config(DockerSettings s) {
    DefaultDockerClientConfig.Builder b = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(s.dockerHost())
        .withDockerTlsVerify(s.tlsVerify());
    if (s.certPath() != null) {
      b.withDockerCertPath(s.certPath().toString());
    }
    return b.build();
  }

  private static DockerClient client(DefaultDockerClientConfig config, DockerSettings s, Duration responseTimeout) {
    ZerodepDockerHttpClient.Builder http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(URI.create(s.dockerHost()))
        .sslConfig(config.getSSLConfig())
        .maxConnections(64)
        .connectionTimeout(s.connectTimeout());
    if (responseTimeout != null) {
      http.responseTimeout(responseTimeout);
    }
    DockerHttpClient httpClient = http.build();
    return DockerClientImpl.getInstance(config, httpClient);
  }
}
