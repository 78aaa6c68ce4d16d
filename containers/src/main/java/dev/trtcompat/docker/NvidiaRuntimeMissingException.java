package dev.trtcompat.docker;

import dev.trtcompat.errors.UserFacingException;

/** A GPU was requested but the Docker engine has no NVIDIA runtime to hand GPUs to containers. */
public class NvidiaRuntimeMissingException extends UserFacingException {

  /** What dockerd answers when no device driver can serve a {@code gpu} capability request. */
  static final String ENGINE_MESSAGE = "could not select device driver \"\" with capabilities: [[gpu]]";

  public NvidiaRuntimeMissingException(Throwable cause) {
    super(Kind.UNAVAILABLE, "nvidia_runtime_missing",
        "The Docker engine cannot give containers a GPU: the NVIDIA Container Toolkit is missing or not configured."
            + " Install nvidia-container-toolkit on the Docker host, run 'nvidia-ctk runtime configure --runtime=docker'"
            + " and restart dockerd (or run without GPUs).", cause);
  }

  static boolean matches(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null && m.contains("could not select device driver") && m.contains("gpu")) {
        return true;
      }
    }
    return false;
  }
}
