package dev.trtcompat.errors;

/**
 * A failure whose message is written for the person using trt-compat, not for a developer.
 *
 * <p>Each interface maps it in exactly one place: the HTTP layer turns {@link #kind()} into a status and
 * answers {@code {error, detail}}; the CLI prints one line and exits with {@link Kind#exitCode()}. Stack
 * traces go to the log only.
 */
public class UserFacingException extends RuntimeException {

  /** What went wrong, coarse enough for a status code and an exit code. */
  public enum Kind {
    /** The input cannot be read as what it claims to be (HTTP 422 / exit 2). */
    INVALID_INPUT(422, 2),
    /** The request itself is malformed: missing field, bad parameter (HTTP 400 / exit 2). */
    BAD_REQUEST(400, 2),
    /** The request carries no valid credentials where the service requires them (HTTP 401 / exit 2). */
    UNAUTHORIZED(401, 2),
    /** The request is refused whoever sends it, e.g. a form posted from another site (HTTP 403 / exit 2). */
    FORBIDDEN(403, 2),
    /** Something named does not exist (HTTP 404 / exit 2). */
    NOT_FOUND(404, 2),
    /** The input is larger than the configured limit (HTTP 413 / exit 2). */
    TOO_LARGE(413, 2),
    /** A configured limit on work in flight was reached (HTTP 429 / exit 5). */
    LIMIT_REACHED(429, 5),
    /** A part trt-compat depends on is missing or down: Docker, an image, a GPU runtime (HTTP 503 / exit 3). */
    UNAVAILABLE(503, 3),
    /** Work ran but did not finish in time (HTTP 504 / exit 4). */
    TIMEOUT(504, 4),
    /** The operation conflicts with the current state (HTTP 409 / exit 2). */
    CONFLICT(409, 2);

    private final int httpStatus;
    private final int exitCode;

    Kind(int httpStatus, int exitCode) {
      this.httpStatus = httpStatus;
      this.exitCode = exitCode;
    }

    public int httpStatus() {
      return httpStatus;
    }

    public int exitCode() {
      return exitCode;
    }
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
