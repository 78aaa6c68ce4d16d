package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-model render cache on a real Javalin server: one render per token, headers replayed, errors never kept. */
class RenderCacheTest {

  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger renders = new AtomicInteger();
  private final HttpClient http = HttpClient.newHttpClient();
  private RenderCache cache;
  private Javalin app;

  @BeforeEach
  void start() {
    cache = new RenderCache(id -> tokens.getOrDefault(id, "0"));
    app = Javalin.create(cfg -> cfg.router.mount(r -> r.get("/m/{id}", cache.cached("page", ctx -> {
      if (ctx.pathParam("id").equals("missing")) {
        ctx.status(404).result("no such model");
        return;
      }
      int n = renders.incrementAndGet();
      ctx.header("Content-Security-Policy", "default-src 'none'").contentType("text/html").result("render " + n);
    })))).start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private HttpResponse<String> get(String id) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/m/" + id)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void rendersOncePerTokenAndReplaysTheHeaders() throws Exception {
    assertThat(get("a").body()).isEqualTo("render 1");
    HttpResponse<String> again = get("a");
    assertThat(again.body()).isEqualTo("render 1");
    assertThat(again.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'none'");
    assertThat(again.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    assertThat(get("b").body()).isEqualTo("render 2");

    tokens.put("a", "1"); // a cell of model a changed
    assertThat(get("a").body()).isEqualTo("render 3");
    assertThat(get("a").body()).isEqualTo("render 3");

    cache.forget("a");
    assertThat(get("a").body()).isEqualTo("render 4");
  }

  @Test
  void errorsAreNeverKept() throws Exception {
    assertThat(get("missing").statusCode()).isEqualTo(404);
    assertThat(get("missing").statusCode()).isEqualTo(404);
    assertThat(renders).hasValue(0);
  }
}
