package dev.trtcompat.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trtcompat.json.Json;
import io.javalin.http.Context;
import io.javalin.json.JavalinJackson;
import java.util.function.Supplier;

/**
 * JSON request bodies, read by Javalin's configured mapper ({@link #MAPPER}): the project's one JSON
 * configuration with unknown fields refused, so a misspelt field ({@code "releases"} for {@code "versions"}) is a
 * 400 naming it instead of a silently used default. {@link ErrorMapping} turns Jackson's errors into answers.
 */
final class JsonBodies {

  /** Installed with {@code config.jsonMapper(...)}; {@code ctx.bodyAsClass} reads with it. */
  static final JavalinJackson MAPPER = new JavalinJackson(strict(), false);

  private JsonBodies() {}

  private static ObjectMapper strict() {
    return Json.mapper().copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /** The body as {@code type}; an empty body or {@code null} is {@code empty}'s value (every field left out). */
  static <T> T read(Context ctx, Class<T> type, Supplier<T> empty) {
    if (ctx.body().isBlank()) {
      return empty.get();
    }
    T value = ctx.bodyAsClass(type);
    return value == null ? empty.get() : value;
  }
}
