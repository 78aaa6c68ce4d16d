package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-model render cache on a real Javalin server: one render per token, headers replayed, errors never kept,
 * slow pages kept longer, big pages kept within a byte budget, one render at a time per key.
 */
class RenderCacheTest {

  /** A small budget so the test moves megabytes, not the production 256 MiB. */
  private static final long BUDGET = 40L << 20;

  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger renders = new AtomicInteger();
  /** The cache's clock in nanoseconds; a render "takes" renderCost of it. */
  private final AtomicLong clock = new AtomicLong();
  private volatile long renderCost;
  private volatile int bodyBytes;
  private volatile CountDownLatch renderGate = new CountDownLatch(0);
  private final CountDownLatch renderStarted = new CountDownLatch(1);
  private final HttpClient http = HttpClient.newHttpClient();
  private RenderCache cache;
  private Javalin app;

  @BeforeEach
  void start() {
    cache = new RenderCache(id -> tokens.getOrDefault(id, "0"), clock::get, BUDGET);
    app = Javalin.create(cfg -> cfg.router.mount(r -> r.get("/m/{id}", cache.cached("page", ctx -> {
      if (ctx.pathParam("id").equals("missing")) {
        ctx.status(404).result("no such model");
        return;
      }
      if (ctx.pathParam("id").equals("analysing")) { // the model page while its analysis runs
        ctx.header(RenderCache.CACHE_CONTROL, RenderCache.NO_STORE).result("placeholder " + renders.incrementAndGet());
        return;
      }
      int n = renders.incrementAndGet();
      renderStarted.countDown();
      renderGate.await();
      clock.addAndGet(renderCost);
      String text = "render " + n;
      ctx.header("Content-Security-Policy", "default-src 'none'").contentType("text/html")
          .result(bodyBytes == 0 ? text : text + " " + "x".repeat(bodyBytes));
    })))).start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  private static String cacheHeader(HttpResponse<String> r) {
    return r.headers().firstValue(RenderCache.HEADER).orElse("");
  }

  private HttpResponse<String> get(String idAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/m/" + idAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAnswerSayingNoStoreIsPassedOnAndNeverKept() throws Exception {
    HttpResponse<String> first = get("analysing");
    assertThat(first.body()).isEqualTo("placeholder 1");
    assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(get("analysing").body()).isEqualTo("placeholder 2");
    assertThat(cacheHeader(get("analysing"))).isEqualTo("miss");
    assertThat(cache.bytesKept()).isZero();
  }

  @Test
  void viewsWithAQueryAreKeptUnderTheirQueryBoundedPerModel() throws Exception {
    assertThat(get("a").body()).isEqualTo("render 1");
    assertThat(get("a?graph-page=2").body()).isEqualTo("render 2");
    assertThat(get("a?graph-page=3").body()).isEqualTo("render 3");
    HttpResponse<String> again = get("a?graph-page=2");
    assertThat(again.body()).isEqualTo("render 2");
    assertThat(cacheHeader(again)).isEqualTo("hit");
    assertThat(get("a").body()).as("the plain page keeps its own entry").isEqualTo("render 1");

    // Beyond the per-model bound, further queries are rendered each time; those kept still hit.
    for (int p = 4; p < 2 + RenderCache.MAX_QUERIES_PER_ROUTE; p++) {
      get("a?graph-page=" + p);
    }
    int before = renders.get();
    String over = "a?graph-page=" + (2 + RenderCache.MAX_QUERIES_PER_ROUTE);
    get(over);
    get(over);
    assertThat(renders.get() - before).isEqualTo(2);
    assertThat(cacheHeader(get("a?graph-page=2"))).isEqualTo("hit");
    assertThat(get("b?graph-page=2").body()).as("another model's queries are its own")
        .isEqualTo("render " + (renders.get()));
    assertThat(cacheHeader(get("b?graph-page=2"))).isEqualTo("hit");
    String tooLong = "a?graph-q=" + "q".repeat(RenderCache.MAX_QUERY_CHARS);
    get(tooLong);
    assertThat(cacheHeader(get(tooLong))).isEqualTo("miss");

    tokens.put("a", "1"); // a change renders the query views afresh too
    assertThat(cacheHeader(get("a?graph-page=2"))).isEqualTo("miss");
    cache.forget("a");
    assertThat(cacheHeader(get("a?graph-page=3"))).isEqualTo("miss");
    assertThat(cacheHeader(get("b?graph-page=2"))).isEqualTo("hit");
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

  @Test
  void aCheapAnswerAgesOutAfterFiveSeconds() throws Exception {
    assertThat(get("a").body()).isEqualTo("render 1");
    clock.addAndGet(RenderCache.MIN_AGE_NANOS - 1);
    assertThat(cacheHeader(get("a"))).isEqualTo("hit");
    clock.addAndGet(1);
    HttpResponse<String> aged = get("a");
    assertThat(aged.body()).isEqualTo("render 2");
    assertThat(cacheHeader(aged)).isEqualTo("miss");
  }

  @Test
  void aSlowPageIsKeptTenTimesItsRenderTimeSoTheSecondViewIsAHit() throws Exception {
    renderCost = 9_000_000_000L; // the 9 s page of a 300k-node model
    bodyBytes = 8 << 20; // larger than the 4 MB the cache used to refuse
    assertThat(cacheHeader(get("big"))).isEqualTo("miss");
    clock.addAndGet(60_000_000_000L); // a minute later, nothing about the model changed
    HttpResponse<String> second = get("big");
    assertThat(cacheHeader(second)).isEqualTo("hit");
    assertThat(second.body()).startsWith("render 1 ").hasSize("render 1 ".length() + (8 << 20));
    assertThat(renders).hasValue(1);
    assertThat(cache.bytesKept()).isGreaterThanOrEqualTo(8L << 20);

    clock.addAndGet(31_000_000_000L); // 91 s: past 10 x 9 s
    assertThat(cacheHeader(get("big"))).isEqualTo("miss");
    assertThat(renders).hasValue(2);
  }

  @Test
  void oversizedAnswersAreServedButNotKeptAndTheByteBudgetEvictsTheOldest() throws Exception {
    bodyBytes = (int) (BUDGET / 2) + 1;
    get("huge");
    get("huge");
    assertThat(renders).hasValue(2);
    assertThat(cache.bytesKept()).isZero();

    bodyBytes = 12 << 20;
    for (String id : new String[] {"m1", "m2", "m3", "m4", "m5"}) {
      get(id);
    }
    assertThat(cache.bytesKept()).isLessThanOrEqualTo(BUDGET);
    assertThat(cacheHeader(get("m5"))).isEqualTo("hit");
    assertThat(cacheHeader(get("m1"))).isEqualTo("miss"); // the least recently used went first
  }

  @Test
  void viewersArrivingDuringARenderWaitForItInsteadOfRenderingAgain() throws Exception {
    renderGate = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<HttpResponse<String>> first = pool.submit(() -> get("a"));
      assertThat(renderStarted.await(10, TimeUnit.SECONDS)).isTrue();
      List<Future<HttpResponse<String>>> others = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        others.add(pool.submit(() -> get("a")));
      }
      Thread.sleep(200); // let them reach the cache and queue behind the render
      renderGate.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("render 1");
      for (Future<HttpResponse<String>> f : others) {
        HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.body()).isEqualTo("render 1");
        assertThat(cacheHeader(r)).isEqualTo("hit");
      }
      assertThat(renders).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void anAgedAnswerIsServedAsStaleWhileOneViewerRendersItAfresh() throws Exception {
    assertThat(get("a").body()).isEqualTo("render 1");
    clock.addAndGet(RenderCache.MIN_AGE_NANOS);
    CountDownLatch gate = new CountDownLatch(1);
    renderGate = gate;
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<HttpResponse<String>> refresh = pool.submit(() -> get("a"));
      while (renders.get() < 2) {
        Thread.sleep(10);
      }
      HttpResponse<String> meanwhile = get("a");
      assertThat(meanwhile.body()).isEqualTo("render 1");
      assertThat(cacheHeader(meanwhile)).isEqualTo("stale");
      gate.countDown();
      assertThat(refresh.get(10, TimeUnit.SECONDS).body()).isEqualTo("render 2");
      assertThat(cacheHeader(get("a"))).isEqualTo("hit");

      tokens.put("a", "1"); // a changed model is never answered stale
      gate.countDown();
      assertThat(get("a").body()).isEqualTo("render 3");
    } finally {
      pool.shutdownNow();
    }
  }
}
