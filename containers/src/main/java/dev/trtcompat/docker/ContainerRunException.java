package dev.trtcompat.docker;

import dev.trtcompat.errors.UserFacingException;

/**
 * A container ran but did not succeed: killed for memory, timed out, cancelled or exited non-zero. Thrown by
 * {@link RunResult#requireSuccess()}; callers that read the exit code themselves (trtexec) look at the result.
 */
public class ContainerRunException extends UserFacingException {

  private final RunResult result;

  ContainerRunException(Kind kind, String error, String detail, RunResult result) {
    super(kind, error, detail);
    this.result = result;
  }

  public RunResult result() {
    return result;
  }

  static ContainerRunException of(RunResult r, String what) {
    return switch (r.outcome()) {
      case TIMED_OUT -> new ContainerRunException(Kind.TIMEOUT, "container_timeout",
          what + " did not finish within " + r.timeout().toSeconds() + " s and was stopped; raise the time limit or use a smaller model.", r);
      case CANCELLED -> new ContainerRunException(Kind.CONFLICT, "container_cancelled", what + " was cancelled.", r);
      case EXITED -> r.oomKilled()
          ? new ContainerRunException(Kind.TOO_LARGE, "container_out_of_memory",
              what + " ran out of memory (limit " + (r.memoryLimitBytes() / (1024 * 1024)) + " MiB) and was killed; raise the memory limit or use a smaller model.", r)
          // A non-zero exit means the tool rejected its input (trtexec: the model does not convert).
          : new ContainerRunException(Kind.INVALID_INPUT, "container_failed",
              what + " exited with code " + r.exitCode() + "; see its log for the reason.", r);
    };
  }
}
