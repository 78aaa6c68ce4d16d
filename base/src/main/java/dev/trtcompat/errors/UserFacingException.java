package dev.trtcompat.errors;

/**
 * A failure whose message is written for the person using trt-compat, not for a developer.
 *
 * <p>It says what kind of failure it is and nothing about who reports it: each interface maps the kind in
 * exactly one place. The HTTP layer turns {@link #kind()} into a status and answers {@code {error, detail}}; the
 * CLI prints one line and exits with the kind's exit code. Stack traces go to the log only.
 */
public class UserFacingException extends RuntimeException {

  /** What went wrong, coarse enough for the edges to choose a status code and an exit code from it. */
  public enum Kind {
    /** The input cannot be read as what it claims to be. */
    INVALID_INPUT,
    /** The request itself is malformed: missing field, bad parameter. */
    BAD_REQUEST,
    /** The request carries no valid credentials where the service requires them. */
    UNAUTHORIZED,
    /** The request is refused whoever sends it, e.g. a form posted from another site. */
    FORBIDDEN,
    /** Something named does not exist. */
    NOT_FOUND,
    /** The input is larger than the configured limit. */
    TOO_LARGE,
    /** A configured limit on work in flight was reached. */
    LIMIT_REACHED,
    /** A part trt-compat depends on is missing or down: Docker, an image, a GPU runtime. */
    UNAVAILABLE,
    /** Work ran but did not finish in time. */
    TIMEOUT,
    /** The operation conflicts with the current state. */
    CONFLICT,
    /** The input would not fit in the space left where it is kept (the data folder's disk). */
    INSUFFICIENT_STORAGE
  }

  private final String error;
  private final Kind kind;

  /**
   * @param error a short stable identifier, e.g. {@code invalid_model}
   * @param detail one line saying what is wrong and, where possible, what to do
   */
  public UserFacingException(Kind kind, String error, String detail) {
    this(kind, error, detail, null);
  }

  public UserFacingException(Kind kind, String error, String detail, Throwable cause) {
    super(detail, cause);
    this.kind = kind;
    this.error = error;
  }

  public String error() {
    return error;
  }

  public String detail() {
    return getMessage();
  }

  public Kind kind() {
    return kind;
  }
}
