package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.JavalinDefaultRouting;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place HTTP errors are made: {@link UserFacingException} becomes its Kind's status with
 * {@code {error, detail}}; Javalin's own responses (unknown route, wrong method) get the same shape;
 * anything else is a 500 with a generic message and an incident id, the stack trace going to the log.
 * API paths answer JSON, page paths an HTML page.
 */
final class ErrorMapping {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapping.class);

  private ErrorMapping() {}

  static void register(JavalinDefaultRouting routes) {
    routes.exception(UserFacingException.class, (e, ctx) -> userError(ctx, e));
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
    };
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
