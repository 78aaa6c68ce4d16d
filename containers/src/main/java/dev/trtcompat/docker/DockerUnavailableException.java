package dev.trtcompat.docker;

import dev.trtcompat.errors.UserFacingException;

/** The Docker engine cannot be reached; the message says which endpoint was tried and how to fix it. */
public class DockerUnavailableException extends UserFacingException {

  public DockerUnavailableException(String detail, Throwable cause) {
    super(Kind.UNAVAILABLE, "docker_unavailable", detail, cause);
  }

  static DockerUnavailableException unreachable(DockerSettings settings, Throwable cause) {
    String host = settings.dockerHost();
    String fix = host.startsWith("unix://")
        ? "start the engine (e.g. 'sudo systemctl start docker' or 'dockerd &'), check that " + host.substring(7)
            + " exists and that this user may open it, or set DOCKER_HOST to a reachable engine"
        : "check that the engine at " + host + " is running and reachable"
            + (settings.tlsVerify() ? " and that DOCKER_CERT_PATH holds ca.pem, cert.pem and key.pem for it" : "")
            + ", or set DOCKER_HOST to a reachable engine";
    return new DockerUnavailableException(
        "Cannot reach the Docker engine at " + host + " within " + settings.pingTimeout().toMillis() + " ms: " + fix + ".",
        cause);
  }
}
