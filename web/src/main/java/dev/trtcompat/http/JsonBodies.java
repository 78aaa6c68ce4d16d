package dev.trtcompat.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.json.Json;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * JSON request bodies, read by Javalin's configured mapper ({@link #MAPPER}): the project's one JSON
 * configuration with unknown fields refused, so a misspelt field ({@code "releases"} for {@code "versions"}) is a
 * 400 naming it instead of a silently used default. Jackson's errors become {@code unknown_field} and
 * {@code invalid_body} here, at the request boundary, not in {@link ErrorMapping}: a Jackson error anywhere else
 * (a damaged file of the store) is the server's fault, a 500.
 */
public final class JsonBodies {

  /**
   * Installed with {@code config.jsonMapper(...)}: {@code ctx.bodyAsClass} reads with it and {@code ctx.json} writes
   * with it (indented, as the CLI's {@code --json} prints).
   */
  static final JavalinJackson MAPPER = new JavalinJackson(strict(), false);

  private JsonBodies() {}

  private static ObjectMapper strict() {
    return Json.mapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** The body as {@code type}; an empty body or {@code null} is {@code empty}'s value (every field left out). */
  static <T> T read(Context ctx, Class<T> type, Supplier<T> empty) {
    if (ctx.body().isBlank()) {
      return empty.get();
    }
    T value;
    try {
      value = ctx.bodyAsClass(type);
    } catch (Exception e) { // bodyAsClass is Kotlin: Jackson's checked exceptions arrive undeclared
      if (e instanceof UnrecognizedPropertyException u) {
        throw unknownField(u);
      }
      if (e instanceof JsonProcessingException j) {
        throw invalidBody(j);
      }
      throw e;
    }
    return value == null ? empty.get() : value;
  }

  /**
   * Reads JSON text as {@code type} with the same strictness and errors as a request body: for routes that take
   * a body apart first (e.g. the compare route's model list beside a job request).
   */
  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.getMapper().readValue(json, type);
    } catch (UnrecognizedPropertyException u) {
      throw unknownField(u);
    } catch (JsonProcessingException j) {
      throw invalidBody(j);
    }
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

}
