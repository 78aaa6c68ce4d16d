package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.app.ApiTokens;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import io.javalin.Javalin;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API tokens, login sessions and the cross-site check, against the real server. */
class AccessTest {

  static final String ALICE = "alice-secret-0123456789";
  static final String BOB = "bob-secret-abcdefghijkl";

  @TempDir Path dir;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    ApiTokens tokens = ApiTokens.parse("alice:" + ALICE + ",bob:" + BOB, null, "test", "test");
    server = new TestServer(new ServiceConfig("127.0.0.1", 0, dir, 4L << 20, Duration.ofSeconds(5)).withApiTokens(tokens));
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void theApiWithoutATokenIs401JsonWithAChallenge() throws Exception {
    for (String path : List.of("/api/v1/models", "/api/v1/models/" + "a".repeat(64), "/api/v1/nothing-here")) {
      HttpResponse<String> r = server.get(path);

      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"trt-compat\"");
      assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
      JsonNode body = TestServer.json(r);
      assertThat(body.get("error").asText()).isEqualTo("missing_token");
      assertThat(body.get("detail").asText()).contains("Authorization: Bearer");
    }
    HttpResponse<String> upload = server.uploadModel("relu.onnx", TestModels.single("Relu").build().toByteArray());
    assertThat(upload.statusCode()).isEqualTo(401);
    assertThat(server.storedModels()).isZero();
  }

  @Test
  void aWrongTokenIs401AndNeverEchoed() throws Exception {
    for (String auth : List.of("Bearer wrong-secret-0123456789", "Bearer " + ALICE + "x", "Basic " + ALICE, "Bearer ")) {
      HttpResponse<String> r = get("/api/v1/models", auth);

      assertThat(r.statusCode()).as(auth).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"trt-compat\", error=\"invalid_token\"");
      assertThat(TestServer.json(r).get("error").asText()).isEqualTo("invalid_token");
      assertThat(r.body()).doesNotContain(ALICE).doesNotContain("wrong-secret");
    }
  }

  @Test
  void theRightTokenIsLetIn() throws Exception {
    HttpResponse<String> list = get("/api/v1/models", "Bearer " + ALICE);
    HttpResponse<String> upload = server.send(new Multipart().file("model", "relu.onnx", TestModels.single("Relu").build().toByteArray())
        .post(server.uri("/api/v1/models")).header("Authorization", "bearer " + BOB).build());

    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(upload.statusCode()).isEqualTo(201);
  }

  @Test
  void healthAndTheApiDescriptionAnswerTheSameWhateverTheToken() throws Exception {
    for (String path : List.of("/api/v1/health", "/api/v1/openapi.json")) {
      HttpResponse<String> none = server.get(path);
      HttpResponse<String> wrong = get(path, "Bearer wrong-secret-0123456789");
      HttpResponse<String> right = get(path, "Bearer " + ALICE);

      for (HttpResponse<String> r : List.of(none, wrong, right)) {
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.body()).isEqualTo(none.body());
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
      }
    }
    assertThat(server.get("/assets/style.css").statusCode()).isEqualTo(200);
    assertThat(server.get("/assets/upload.js").statusCode()).isEqualTo(200);
  }

  @Test
  void pagesWithoutASessionRedirectToTheLoginPage() throws Exception {
    HttpResponse<String> home = server.get("/");
    HttpResponse<String> model = server.get("/models/" + "b".repeat(64) + "?x=1");
    HttpResponse<String> form = server.send(new Multipart().file("model", "m.onnx", TestModels.single("Relu").build().toByteArray())
        .post(server.uri("/models")).build());

    assertThat(home.statusCode()).isEqualTo(303);
    assertThat(home.headers().firstValue("Location")).hasValue("/login?next=%2F");
    assertThat(model.statusCode()).isEqualTo(303);
    assertThat(model.headers().firstValue("Location"))
        .hasValue("/login?next=" + URLEncoder.encode("/models/" + "b".repeat(64) + "?x=1", StandardCharsets.UTF_8));
    assertThat(form.statusCode()).isEqualTo(303);
    assertThat(server.storedModels()).isZero();
  }

  @Test
  void loggingInSetsAStrictHttpOnlyCookieThatOpensPagesAndTheApi() throws Exception {
    HttpResponse<String> page = server.get("/login?next=%2Fmodels%2Fabc");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(page.body()).contains("id=\"login-form\"").contains("name=\"token\"").contains("value=\"/models/abc\"");

    HttpResponse<String> wrong = login("wrong-secret-0123456789", "/");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(wrong.body()).contains("data-error=\"invalid_token\"").doesNotContain("wrong-secret");

    HttpResponse<String> ok = login(ALICE, "/models/abc");
    assertThat(ok.statusCode()).isEqualTo(303);
    assertThat(ok.headers().firstValue("Location")).hasValue("/models/abc");
    String setCookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).startsWith(Access.COOKIE + "=v1.").contains("; HttpOnly").contains("; SameSite=Strict")
        .contains("; Path=/").contains("Max-Age=43200").doesNotContain(ALICE);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));

    HttpResponse<String> home = send(HttpRequest.newBuilder(server.uri("/")).header("Cookie", cookie).GET().build());
    HttpResponse<String> api = send(HttpRequest.newBuilder(server.uri("/api/v1/models")).header("Cookie", cookie).GET().build());
    HttpResponse<String> loginAgain = send(HttpRequest.newBuilder(server.uri("/login?next=/x")).header("Cookie", cookie).GET().build());
    assertThat(home.statusCode()).isEqualTo(200);
    assertThat(home.body()).contains("id=\"upload-form\"");
    assertThat(api.statusCode()).isEqualTo(200);
    assertThat(loginAgain.statusCode()).isEqualTo(303);
    assertThat(loginAgain.headers().firstValue("Location")).hasValue("/x");

    // The page's own upload (XHR to the API, same origin, with the cookie) goes through.
    HttpResponse<String> upload = send(new Multipart().file("model", "relu.onnx", TestModels.single("Relu").build().toByteArray())
        .post(server.uri("/api/v1/models")).header("Cookie", cookie).header("Origin", origin()).build());
    assertThat(upload.statusCode()).isEqualTo(201);

    HttpResponse<String> logout = send(HttpRequest.newBuilder(server.uri("/logout")).header("Cookie", cookie)
        .POST(HttpRequest.BodyPublishers.noBody()).build());
    assertThat(logout.statusCode()).isEqualTo(303);
    assertThat(logout.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0"));
  }

  @Test
  void aForgedOrAlteredCookieIsNoSession() throws Exception {
    String good = cookieOf(login(ALICE, "/"));
    String value = good.substring(good.indexOf('=') + 1);
    String[] parts = value.split("\\.");
    String asBob = "v1." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("bob".getBytes(StandardCharsets.UTF_8))
        + "." + parts[2] + "." + parts[3];
    String longer = "v1." + parts[1] + "." + (Long.parseLong(parts[2]) + 3600) + "." + parts[3];
    String expired = new Access(ApiTokens.parse("alice:" + ALICE, null, "t", "t"), Clock.systemUTC())
        .cookieValue("alice", Clock.systemUTC().instant().getEpochSecond() - 1);

    for (String forged : List.of(asBob, longer, expired, "v1.x.1.y", "garbage")) {
      HttpResponse<String> r = send(HttpRequest.newBuilder(server.uri("/")).header("Cookie", Access.COOKIE + "=" + forged).GET().build());
      assertThat(r.statusCode()).as(forged).isEqualTo(303);
    }
    // A cookie made with the same secret by another instance is accepted: sessions need no server state.
    String other = new Access(ApiTokens.parse("alice:" + ALICE, null, "t", "t"), Clock.systemUTC())
        .cookieValue("alice", Clock.systemUTC().instant().getEpochSecond() + 600);
    assertThat(send(HttpRequest.newBuilder(server.uri("/")).header("Cookie", Access.COOKIE + "=" + other).GET().build()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void formsPostedFromAnotherSiteAreRefused() throws Exception {
    String cookie = cookieOf(login(ALICE, "/"));
    byte[] model = TestModels.single("Relu").build().toByteArray();

    HttpResponse<String> pageForm = send(new Multipart().file("model", "m.onnx", model).post(server.uri("/models"))
        .header("Cookie", cookie).header("Origin", "https://evil.example").build());
    HttpResponse<String> apiForm = send(new Multipart().file("model", "m.onnx", model).post(server.uri("/api/v1/models"))
        .header("Cookie", cookie).header("Origin", "null").build());
    HttpResponse<String> byReferer = send(new Multipart().file("model", "m.onnx", model).post(server.uri("/api/v1/models"))
        .header("Cookie", cookie).header("Referer", "http://evil.example/page").build());
    HttpResponse<String> loginCsrf = send(HttpRequest.newBuilder(server.uri("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "http://evil.example")
        .POST(HttpRequest.BodyPublishers.ofString("token=" + ALICE)).build());

    for (HttpResponse<String> r : List.of(pageForm, apiForm, byReferer, loginCsrf)) {
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(r.body()).contains("cross_site_request");
    }
    assertThat(loginCsrf.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(server.storedModels()).isZero();

    // The same form from the service's own page is fine, and a bearer token needs no Origin check.
    HttpResponse<String> own = send(new Multipart().file("model", "m.onnx", model).post(server.uri("/models"))
        .header("Cookie", cookie).header("Origin", origin()).build());
    HttpResponse<String> bearer = send(new Multipart().file("model", "m.onnx", model).post(server.uri("/api/v1/models"))
        .header("Authorization", "Bearer " + ALICE).header("Origin", "https://evil.example").build());
    assertThat(own.statusCode()).isEqualTo(303);
    assertThat(bearer.statusCode()).isEqualTo(200);
  }

  @Test
  void theLoginFormSendsNobodyToAnotherSite() throws Exception {
    for (String next : List.of("//evil.example/", "https://evil.example/", "/\\evil.example", "/login", "")) {
      HttpResponse<String> r = login(ALICE, next);
      assertThat(r.headers().firstValue("Location")).as(next).hasValue("/");
    }
  }

  @Test
  void withoutTokensPagesAreOpenButCrossSiteFormsAreStillRefused(@TempDir Path other) throws Exception {
    try (TestServer open = new TestServer(other)) {
      byte[] model = TestModels.single("Relu").build().toByteArray();
      HttpResponse<String> evil = open.send(new Multipart().file("model", "m.onnx", model).post(open.uri("/models"))
          .header("Origin", "http://evil.example").build());
      HttpResponse<String> own = open.send(new Multipart().file("model", "m.onnx", model).post(open.uri("/models"))
          .header("Origin", "http://127.0.0.1:" + open.server().port()).build());

      assertThat(open.get("/").statusCode()).isEqualTo(200);
      assertThat(open.get("/api/v1/models").statusCode()).isEqualTo(200);
      assertThat(open.get("/login").statusCode()).isEqualTo(303);
      assertThat(evil.statusCode()).isEqualTo(403);
      assertThat(own.statusCode()).isEqualTo(303);
    }
  }

  @Test
  void clientIdIsTheTokensNameOrTheRemoteAddress() throws Exception {
    ApiTokens tokens = ApiTokens.parse("alice:" + ALICE, null, "t", "t");
    for (ApiTokens t : List.of(tokens, ApiTokens.none())) {
      Access access = new Access(t, Clock.systemUTC());
      Javalin app = Javalin.create(cfg -> {
        cfg.showJavalinBanner = false;
        cfg.registerPlugin(access);
        cfg.router.mount(r -> r.get("/api/v1/whoami", ctx -> ctx.result(Access.clientId(ctx))));
      }).start("127.0.0.1", 0);
      try {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/api/v1/whoami"))
            .header("Authorization", "Bearer " + ALICE).GET().build());
        assertThat(r.body()).isEqualTo(t.enabled() ? "alice" : "127.0.0.1");
      } finally {
        app.stop();
      }
    }
  }

  private String origin() {
    return "http://127.0.0.1:" + server.server().port();
  }

  private HttpResponse<String> login(String token, String next) throws Exception {
    String form = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&next=" + URLEncoder.encode(next, StandardCharsets.UTF_8);
    return send(HttpRequest.newBuilder(server.uri("/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", origin())
        .POST(HttpRequest.BodyPublishers.ofString(form))
        .build());
  }

  private static String cookieOf(HttpResponse<String> login) {
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private HttpResponse<String> get(String path, String authorization) throws Exception {
    return send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", authorization).GET().build());
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }
}
