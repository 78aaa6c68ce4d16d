package dev.trtcompat.http;

import dev.trtcompat.app.ApiTokens;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.plugin.Plugin;
import io.javalin.plugin.PluginPriority;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the service and who is asking. With API tokens configured, the API wants {@code Authorization:
 * Bearer SECRET} (or the session cookie the pages' own scripts send), and pages want the session cookie that
 * {@code POST /login} sets. Whatever the configuration, a state-changing request a browser sends from another
 * site is refused.
 *
 * <p>The session cookie is {@code v1.NAME.EXPIRY.MAC}, the MAC an HMAC-SHA256 under a key derived from the
 * client's secret. Chosen over a random id kept in memory because it needs no server state: instances
 * sharing one token file (and one database) accept each other's sessions, a restart logs nobody out, and
 * changing a client's secret ends that client's sessions. The price is that logging out only drops the
 * cookie from the browser; the short lifetime, HttpOnly and SameSite=Strict bound what a copied cookie is worth.
 *
 * <p>A Javalin plugin of early priority: its check is the first before-handler of every request, ahead of the
 * other plugins' (upload slots), and it brings its own login and logout routes.
 */
public final class Access extends Plugin<Void> {

  static final String COOKIE = "trtcompat_session";
  static final String LOGIN = "/login";
  static final String LOGOUT = "/logout";
  static final Duration SESSION_LIFETIME = Duration.ofHours(12);

  private static final Logger LOG = LoggerFactory.getLogger(Access.class);
  private static final String CLIENT_ATTRIBUTE = "trtcompat.client";
  private static final String BEARER_ATTRIBUTE = "trtcompat.bearer";
  private static final String REALM = "Bearer realm=\"trt-compat\"";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final ApiTokens tokens;
  private final Clock clock;

  Access(ApiTokens tokens, Clock clock) {
    this.tokens = tokens;
    this.clock = clock;
  }

  /**
   * Who sent this request, for per-client limits and logs: the token's client name when tokens are
   * configured (every request that reaches a protected route has one), otherwise the remote address.
   */
  public static String clientId(Context ctx) {
    String client = ctx.attribute(CLIENT_ATTRIBUTE);
    return client != null ? client : ctx.ip();
  }

  /** Checks every request before its route, and adds the login and logout routes. */
  @Override
  public void onStart(JavalinConfig config) {
    config.router.mount(routes -> {
      routes.before(this::check);
      routes.get(LOGIN, this::loginPage);
      routes.post(LOGIN, this::login);
      routes.post(LOGOUT, this::logout);
    });
  }

  @Override
  public PluginPriority priority() {
    return PluginPriority.EARLY;
  }

  void check(Context ctx) {
    // Every answer, including the static ones no Responses method writes, is taken for what it says it is.
    ctx.header("X-Content-Type-Options", "nosniff");
    if (tokens.enabled() && !authenticate(ctx)) {
      return;
    }
    if (ctx.attribute(BEARER_ATTRIBUTE) == null && changesState(ctx)) {
      requireSameSite(ctx);
    }
  }

  /** Sets the client, or answers (401 or a redirect to the login page); false when it answered. */
  private boolean authenticate(Context ctx) {
    boolean open = isOpen(ctx.path());
    String authorization = ctx.header("Authorization");
    if (authorization != null && !open) {
      // A browser cannot add this header to a request from another site, so no same-site check is needed.
      String client = bearer(authorization).flatMap(tokens::clientFor).orElseThrow(() -> unauthorized(ctx, true));
      ctx.attribute(CLIENT_ATTRIBUTE, client);
      ctx.attribute(BEARER_ATTRIBUTE, Boolean.TRUE);
      return true;
    }
    Optional<String> session = session(ctx);
    if (session.isPresent()) {
      ctx.attribute(CLIENT_ATTRIBUTE, session.get());
      return true;
    }
    if (open) {
      return true;
    }
    if (Responses.wantsJson(ctx)) {
      throw unauthorized(ctx, false);
    }
    String here = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
    ctx.redirect(LOGIN + "?next=" + URLEncoder.encode(here, StandardCharsets.UTF_8), HttpStatus.SEE_OTHER);
    ctx.skipRemainingHandlers();
    return false;
  }

  /** What anyone may fetch: the login page, the pages' assets, and the API's health and description. */
  private static boolean isOpen(String path) {
    return path.equals(LOGIN)
        || path.equals(LOGOUT)
        || path.startsWith(Assets.PATH + "/")
        || path.equals(WebServer.API + "/health")
        || path.equals(WebServer.API + "/openapi.json");
  }

  private static Optional<String> bearer(String authorization) {
    String scheme = "Bearer ";
    if (authorization.length() > scheme.length() && authorization.regionMatches(true, 0, scheme, 0, scheme.length())) {
      return Optional.of(authorization.substring(scheme.length()).strip());
    }
    return Optional.empty();
  }

  private static UserFacingException unauthorized(Context ctx, boolean presented) {
    if (presented) {
      ctx.header("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
      return new UserFacingException(Kind.UNAUTHORIZED, "invalid_token",
          "the bearer token is not one this service knows; check it, or ask the operator for a new one");
    }
    ctx.header("WWW-Authenticate", REALM);
    return new UserFacingException(Kind.UNAUTHORIZED, "missing_token",
        "this service needs an API token: send the header 'Authorization: Bearer SECRET' (ask the operator for one)");
  }

  private static boolean changesState(Context ctx) {
    HandlerType m = ctx.method();
    return m != HandlerType.GET && m != HandlerType.HEAD && m != HandlerType.OPTIONS;
  }

  /**
   * Refuses a request a browser sent from another site. Browsers send {@code Origin} with every POST (the
   * pages' {@code Referrer-Policy: same-origin} keeps it for our own forms); a client that sends neither
   * Origin nor Referer is not a browser, and a forged request cannot come from it.
   */
  private static void requireSameSite(Context ctx) {
    String origin = ctx.header("Origin");
    String source = origin != null ? origin : ctx.header("Referer");
    if (source == null) {
      return;
    }
    String host = ctx.header("Host");
    String authority = authority(source);
    if (host == null || authority == null || !authority.equalsIgnoreCase(host)) {
      LOG.info("refused {} {} sent from another site ({}) by {}", ctx.method(), ctx.path(), shorten(source), ctx.ip());
      throw new UserFacingException(Kind.FORBIDDEN, "cross_site_request",
          "this request was sent from another site (" + shorten(source) + "); use this service's own pages");
    }
  }

  private static String authority(String url) {
    try {
      return URI.create(url.strip()).getRawAuthority();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** {@code GET /login}: the token form; straight on when no token is needed or the session is valid. */
  void loginPage(Context ctx) {
    String next = safeNext(ctx.queryParam("next"));
    if (!tokens.enabled() || session(ctx).isPresent()) {
      ctx.redirect(next, HttpStatus.SEE_OTHER);
      return;
    }
    Responses.html(ctx, 200, Pages.login(next, null));
  }

  /** {@code POST /login} with form fields {@code token} and {@code next}: sets the session cookie. */
  void login(Context ctx) {
    String next = safeNext(ctx.formParam("next"));
    if (!tokens.enabled()) {
      ctx.redirect(next, HttpStatus.SEE_OTHER);
      return;
    }
    String token = ctx.formParam("token");
    Optional<String> client = tokens.clientFor(token == null ? null : token.strip());
    if (client.isEmpty()) {
      LOG.info("failed login from {}", ctx.ip());
      Responses.html(ctx, 401, Pages.login(next, "That token is not valid. Paste the whole secret the operator gave you."));
      return;
    }
    long expiry = clock.instant().plus(SESSION_LIFETIME).getEpochSecond();
    setCookie(ctx, cookieValue(client.get(), expiry), SESSION_LIFETIME.toSeconds());
    LOG.info("client {} logged in from {}", client.get(), ctx.ip());
    ctx.redirect(next, HttpStatus.SEE_OTHER);
  }

  /** {@code POST /logout}: drops the cookie (see the class comment for what that does not do). */
  void logout(Context ctx) {
    setCookie(ctx, "", 0);
    ctx.redirect(tokens.enabled() ? LOGIN : "/", HttpStatus.SEE_OTHER);
  }

  private static void setCookie(Context ctx, String value, long maxAgeSeconds) {
    String secure = "https".equalsIgnoreCase(ctx.scheme()) ? "; Secure" : "";
    ctx.res().addHeader("Set-Cookie",
        COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict" + secure);
  }

  String cookieValue(String client, long expiryEpochSecond) {
    byte[] message = signed(client, expiryEpochSecond);
    byte[] mac = tokens.sessionMac(client, message).orElseThrow();
    return "v1." + B64.encodeToString(client.getBytes(StandardCharsets.UTF_8)) + "." + expiryEpochSecond + "." + B64.encodeToString(mac);
  }

  /** The client of a valid, unexpired session cookie. */
  Optional<String> session(Context ctx) {
    String value = ctx.cookie(COOKIE);
    if (value == null || value.length() > 512) {
      return Optional.empty();
    }
    String[] parts = value.split("\\.", -1);
    if (parts.length != 4 || !parts[0].equals("v1")) {
      return Optional.empty();
    }
    try {
      String client = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
      long expiry = Long.parseLong(parts[2]);
      byte[] mac = Base64.getUrlDecoder().decode(parts[3]);
      long now = clock.instant().getEpochSecond();
      if (expiry <= now || expiry > now + SESSION_LIFETIME.toSeconds() + 60) {
        return Optional.empty();
      }
      return tokens.sessionMac(client, signed(client, expiry))
          .filter(expected -> MessageDigest.isEqual(expected, mac))
          .map(ok -> client);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static byte[] signed(String client, long expiry) {
    return ("v1|" + client + "|" + expiry).getBytes(StandardCharsets.UTF_8);
  }

  /** Only a path on this server, so the login form cannot send anyone elsewhere. */
  static String safeNext(String next) {
    if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith(LOGIN)
        || next.chars().anyMatch(c -> c == '\\' || c < 0x20 || c == 0x7f) || next.length() > 2000) {
      return "/";
    }
    return next;
  }

  private static String shorten(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }
}
