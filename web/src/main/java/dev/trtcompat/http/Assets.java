package dev.trtcompat.http;

import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The pages' own script and stylesheet, served from the jar; a fixed list, so no path is ever resolved. */
final class Assets {

  static final String PATH = "/assets";

  private static final Map<String, String> TYPES =
      Map.of(
          "upload.js", "text/javascript; charset=utf-8",
          "model.js", "text/javascript; charset=utf-8",
          "compare.js", "text/javascript; charset=utf-8",
          "style.css", "text/css; charset=utf-8");

  private final Map<String, byte[]> bodies;

  Assets() {
    this.bodies = Map.of("upload.js", load("upload.js"), "model.js", load("model.js"),
        "compare.js", load("compare.js"), "style.css", load("style.css"));
  }

  void serve(Context ctx) {
    String name = ctx.pathParam("name");
    byte[] body = bodies.get(name);
    if (body == null) {
      throw new NotFoundResponse();
    }
    ctx.contentType(TYPES.get(name)).header("Cache-Control", "no-cache").header("X-Content-Type-Options", "nosniff").result(body);
  }

  private static byte[] load(String name) {
    try (InputStream in = Assets.class.getResourceAsStream("assets/" + name)) {
      if (in == null) {
        throw new IllegalStateException("asset missing from the jar: " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
