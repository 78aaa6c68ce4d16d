package dev.trtcompat.http;

import io.javalin.http.Context;

/** Writes bodies with the shared JSON configuration, and the security headers every page carries. */
public final class Responses {

  public static final String JSON = "application/json; charset=utf-8";
  static final String HTML = "text/html; charset=utf-8";

  /** Pages load only this server's own script and style; model-controlled text can never run. */
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
          + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

  private static final String NOSNIFF = "X-Content-Type-Options";

  private Responses() {}

  /** {@code body} as JSON through Javalin's configured mapper ({@link JsonBodies#MAPPER}). */
  public static void json(Context ctx, int status, Object body) {
    ctx.status(status).header(NOSNIFF, "nosniff").json(body).contentType(JSON);
  }

  static void html(Context ctx, int status, String page) {
    ctx.status(status)
        .contentType(HTML)
        .header("Content-Security-Policy", CSP)
        .header(NOSNIFF, "nosniff")
        // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own form posts,
        // and Access's cross-site check needs the real origin.
        .header("Referrer-Policy", "same-origin")
        .result(page);
  }

  /** API paths answer errors in JSON; everything else is a page for people. */
  static boolean wantsJson(Context ctx) {
    return ctx.path().startsWith(WebServer.API + "/") || ctx.path().equals(WebServer.API);
  }
}
