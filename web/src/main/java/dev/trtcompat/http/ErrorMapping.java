package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.JavalinDefaultRouting;
import io.javalin.validation.ValidationError;
import io.javalin.validation.ValidationException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place HTTP errors are made: {@link UserFacingException} becomes its Kind's status with
 * {@code {error, detail}}; Javalin's own responses (unknown route, wrong method) get the same shape, and so do
 * the failures of its validators ({@code ctx.queryParamAsClass(...).check(...)}): 400 {@code invalid_parameter};
 * anything else is a 500 with a generic message and an incident id, the stack trace going to the log.
 * API paths answer JSON, page paths an HTML page.
 */
final class ErrorMapping {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

  /** The message of Javalin's validation error for text that does not convert to the parameter's type. */
  private static final String CONVERSION_FAILED = "TYPE_CONVERSION_FAILED";

  private ErrorMapping() {}

  static void register(JavalinDefaultRouting routes) {
    routes.exception(UserFacingException.class, (e, ctx) -> userError(ctx, e));
    // Replaces Javalin's default mapper, which would answer the raw error map.
    routes.exception(ValidationException.class, (e, ctx) -> userError(ctx, invalidParameter(e)));
    routes.exception(HttpResponseException.class, (e, ctx) -> {
      int status = e.getStatus();
      String error = switch (status) {
        case 404 -> "not_found";
        case 405 -> "method_not_allowed";
        default -> "http_" + status;
      };
      String detail = status == 404
          ? "there is nothing at " + ctx.method() + " " + ctx.path() + "; the API is described at " + WebServer.API + "/openapi.json"
          : e.getMessage();
      answer(ctx, status, new ApiError(error, detail));
    });
    routes.exception(Exception.class, (e, ctx) -> {
      String incident = UUID.randomUUID().toString().substring(0, 8);
      LOG.error("incident {}: {} {} failed", incident, ctx.method(), ctx.path(), e);
      answer(ctx, 500, new ApiError(
          "internal_error",
          "the server failed to handle this request (incident " + incident + "); the operator can find the details in its log"));
    });
  }

  /** The HTTP status of each kind of user-facing failure: this is the only place that decides it. */
  static int status(UserFacingException.Kind kind) {
    return switch (kind) {
      case INVALID_INPUT -> 422;
      case BAD_REQUEST -> 400;
      case UNAUTHORIZED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case TOO_LARGE -> 413;
      case LIMIT_REACHED -> 429;
      case UNAVAILABLE -> 503;
      case TIMEOUT -> 504;
      case CONFLICT -> 409;
      case INSUFFICIENT_STORAGE -> 507;
    };
  }

  /**
   * A path or query parameter that failed its validator: the detail is the failed check's message (or, when the
   * text did not convert, "NAME must be a whole number": every typed parameter of this API is one) followed by
   * the value given, e.g. {@code limit must be a whole number from 1 to 1000, not '0'}.
   */
  static UserFacingException invalidParameter(ValidationException e) {
    Map.Entry<String, List<ValidationError<Object>>> first = e.getErrors().entrySet().iterator().next();
    ValidationError<Object> error = first.getValue().get(0);
    String rule = CONVERSION_FAILED.equals(error.getMessage())
        ? first.getKey() + " must be a whole number"
        : error.getMessage();
    String value = error.getValue() == null ? "" : String.valueOf(error.getValue());
    return new UserFacingException(Kind.BAD_REQUEST, "invalid_parameter",
        rule + (value.isEmpty() ? "" : ", not '" + shorten(value) + "'"), e);
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static void userError(Context ctx, UserFacingException e) {
    LOG.info("{} {} -> {} {}: {}", ctx.method(), ctx.path(), status(e.kind()), e.error(), e.detail());
    if (e.getCause() != null) {
      LOG.debug("cause", e.getCause());
    }
    answer(ctx, status(e.kind()), new ApiError(e.error(), e.detail()));
  }

  private static void answer(Context ctx, int status, ApiError error) {
    if (Responses.wantsJson(ctx)) {
      Responses.json(ctx, status, error);
    } else {
      Responses.html(ctx, status, Pages.error(status, error));
    }
  }
}
