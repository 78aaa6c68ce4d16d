package dev.trtcompat.service;

import dev.trtcompat.conversion.ConversionHost;
import dev.trtcompat.conversion.EngineStore;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;

/**
 * The connection to the Docker engine, opened at the first conversion (and again after a failure: Docker may
 * start after the service), so the service starts and answers everything else without Docker.
 */
final class DockerHost implements AutoCloseable {

  private final JobSettings settings;
  private final EngineStore store;
  private ConversionHost host;
  private boolean closed;

  DockerHost(JobSettings settings, EngineStore store) {
    this.settings = settings;
    this.store = store;
  }

  synchronized ConversionHost host() {
    if (closed) {
      throw new UserFacingException(Kind.UNAVAILABLE, "stopping", "The service is stopping; the cell is re-queued.");
    }
    if (host == null) {
      host = ConversionHost.open(settings.docker(), settings.runner(), store, settings.conversion());
    }
    return host;
  }

  @Override
  public void close() {
    ConversionHost h;
    synchronized (this) {
      closed = true;
      h = host;
      host = null;
    }
    if (h != null) {
      h.close();
    }
  }
}
