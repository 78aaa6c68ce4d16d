package dev.trtcompat.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.router.JavalinDefaultRouting;
import java.util.UUID;
import java.util.stream.Collectors;
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
    routes.exception(UnrecognizedPropertyException.class, (e, ctx) -> userError(ctx, unknownField(e)));
    routes.exception(JsonProcessingException.class, (e, ctx) -> userError(ctx, invalidBody(e)));
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

  private static void userError(Context ctx, UserFacingException e) {
    LOG.info("{} {} -> {} {}: {}", ctx.method(), ctx.path(), e.kind().httpStatus(), e.error(), e.detail());
    if (e.getCause() != null) {
      LOG.debug("cause", e.getCause());
    }
    answer(ctx, e.kind().httpStatus(), new ApiError(e.error(), e.detail()));
  }

  /** A JSON body with a field its type does not have: name the field and the ones it has. */
  static UserFacingException unknownField(UnrecognizedPropertyException e) {
    String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream().map(String::valueOf)
        .sorted().collect(Collectors.joining(", "));
    return new UserFacingException(Kind.BAD_REQUEST, "unknown_field", "Unknown field '" + shorten(e.getPropertyName())
        + "' in the JSON body" + (known.isEmpty() ? "" : "; the accepted fields are: " + known) + ".", e);
  }

  /** A body that is not JSON, or a field of the wrong type: say where, not Jackson's class names. */
  static UserFacingException invalidBody(JsonProcessingException e) {
    String where = e instanceof JsonMappingException m ? path(m) : "";
    String detail = where.isEmpty()
        ? "The body is not valid JSON" + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr()
            + ", column " + e.getLocation().getColumnNr() + ")") + "."
        : "The field '" + shorten(where) + "' has a value of the wrong type or form.";
    return new UserFacingException(Kind.BAD_REQUEST, "invalid_body", detail, e);
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static String shorten(String s) {
    return s == null ? "" : s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  private static void answer(Context ctx, int status, ApiError error) {
    if (Responses.wantsJson(ctx)) {
      Responses.json(ctx, status, error);
    } else {
      Responses.html(ctx, status, Pages.error(status, error));
    }
  }
}
