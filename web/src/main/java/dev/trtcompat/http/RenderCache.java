package dev.trtcompat.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Keeps the last answer of a per-model read route (the model page, the matrix JSON, CSV and fragment) while the
 * model's state token is unchanged, so that many people watching one model cost one render per change instead
 * of one per request. The token changes with every cell event of the model (reference runs are cells too).
 *
 * <p>A cached answer also ages out, which bounds how stale anything the token does not cover (an engine evicted
 * by the quota) can be: after {@link #MIN_AGE_NANOS}, or after {@link #AGE_PER_RENDER} times what the answer
 * took to render if that is longer (at most {@link #MAX_AGE_NANOS}), so re-rendering an often-viewed page costs
 * at most about a tenth of one core however big the page is. One render per key runs at a time: requests
 * arriving meanwhile wait for it, or, when an aged answer with the same token is at hand, get that at once.
 * Memory is bounded by bytes ({@link #MAX_TOTAL_BYTES}), not by an entry count alone, so the page of a very
 * large graph is kept too.
 *
 * <p>A view with a query ({@code ?graph-page=7}, {@code ?graph-q=conv}, {@code ?gpu=sm_89}) is kept under its own
 * key, at most {@link #MAX_QUERIES_PER_ROUTE} of them per model and route (further ones are rendered each time),
 * so paging through a large graph does not push the plain page out. An answer saying {@code Cache-Control:
 * no-store} (the model page while its analysis is still running) is passed on and never kept.
 */
final class RenderCache {

  static final long MIN_AGE_NANOS = 5_000_000_000L;
  static final long MAX_AGE_NANOS = 600_000_000_000L;
  static final int AGE_PER_RENDER = 10;
  static final int MAX_ENTRIES = 256;
  /**
   * All kept answers together, the least recently used going first beyond it: 256 MiB, or an eighth of the heap
   * when that is smaller (a server started with a small {@code -Xmx}).
   */
  static final long MAX_TOTAL_BYTES = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);
  /** Answers larger than this (or than half the budget) are not kept. */
  static final int MAX_BYTES = 64 << 20;

  /** Query views kept per model and route; a longer query string than {@link #MAX_QUERY_CHARS} is never kept. */
  static final int MAX_QUERIES_PER_ROUTE = 32;

  static final int MAX_QUERY_CHARS = 400;
  static final String CACHE_CONTROL = "Cache-Control";
  static final String NO_STORE = "no-store";

  /** Says whether an answer came from the cache ({@code hit}, {@code stale} or {@code miss}): for operators and tests. */
  static final String HEADER = "X-Render-Cache";

  private record Entry(String token, List<String[]> headers, byte[] body, long createdNanos, long maxAgeNanos) {
    boolean fresh(String current, long now) {
      return token.equals(current) && now - createdNanos < maxAgeNanos;
    }
  }

  private final Function<String, String> tokens;
  private final LongSupplier clock;
  private final long maxTotalBytes;
  private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long totalBytes;
  private final Map<String, ReentrantLock> renderLocks = new ConcurrentHashMap<>();

  /** @param tokens the model id to its current state token (cheap: called on every request) */
  RenderCache(Function<String, String> tokens) {
    this(tokens, System::nanoTime, MAX_TOTAL_BYTES);
  }

  /**
   * @param clock nanoseconds, as {@link System#nanoTime()}; tests move it to age entries
   * @param maxTotalBytes the budget for all kept answers
   */
  RenderCache(Function<String, String> tokens, LongSupplier clock, long maxTotalBytes) {
    this.tokens = tokens;
    this.clock = clock;
    this.maxTotalBytes = maxTotalBytes;
  }

  /** {@code route} answering from the cache while the model's token holds; {@code kind} names the route. */
  Handler cached(String kind, Handler route) {
    return ctx -> {
      String id = ctx.pathParam("id");
      String query = ctx.queryString() == null ? "" : ctx.queryString();
      String key = id + "|" + kind + (query.isEmpty() ? "" : "?" + query);
      if (!query.isEmpty() && (query.length() > MAX_QUERY_CHARS || (lookup(key) == null && queriesKept(id, kind)
          >= MAX_QUERIES_PER_ROUTE))) {
        route.handle(ctx);
        ctx.header(HEADER, "miss"); // rendered, not kept
        return;
      }
      String token = tokens.apply(id);
      Entry hit = lookup(key);
      if (hit != null && hit.fresh(token, clock.getAsLong())) {
        replay(ctx, hit, "hit");
        return;
      }
      ReentrantLock lock = renderLocks.computeIfAbsent(key, k -> new ReentrantLock());
      if (hit != null && hit.token().equals(token) && !lock.tryLock()) {
        replay(ctx, hit, "stale"); // aged, unchanged, and someone is rendering it afresh right now
        return;
      }
      if (!lock.isHeldByCurrentThread()) {
        lock.lock(); // nothing usable kept: wait for a render in flight rather than start another
      }
      try {
        Entry again = lookup(key);
        if (again != null && again != hit && again.fresh(token, clock.getAsLong())) {
          replay(ctx, again, "hit");
          return;
        }
        render(ctx, route, key, token);
      } finally {
        lock.unlock();
      }
      if (renderLocks.size() > 4 * MAX_ENTRIES) {
        renderLocks.clear(); // keys of models no longer viewed; at worst one view in flight renders twice
      }
    };
  }

  private void render(Context ctx, Handler route, String key, String token) throws Exception {
    long started = clock.getAsLong();
    route.handle(ctx);
    ctx.header(HEADER, "miss");
    String cacheControl = ctx.res().getHeader(CACHE_CONTROL);
    if (ctx.statusCode() != 200 || cacheControl != null && cacheControl.contains(NO_STORE)) {
      return;
    }
    InputStream in = ctx.resultInputStream();
    if (in == null) {
      return;
    }
    byte[] body = readAll(in);
    ctx.result(body);
    if (body.length > Math.min(MAX_BYTES, maxTotalBytes / 2)) {
      return;
    }
    List<String[]> headers = new ArrayList<>();
    for (String name : ctx.res().getHeaderNames()) {
      if (!name.equalsIgnoreCase("Set-Cookie") && !name.equalsIgnoreCase("Date") && !name.equalsIgnoreCase("Content-Length")
          && !name.equalsIgnoreCase(HEADER)) {
        headers.add(new String[] {name, ctx.res().getHeader(name)});
      }
    }
    long now = clock.getAsLong();
    long maxAge = Math.min(MAX_AGE_NANOS, Math.max(MIN_AGE_NANOS, AGE_PER_RENDER * (now - started)));
    put(key, new Entry(token, List.copyOf(headers), body, now, maxAge));
  }

  private static void replay(Context ctx, Entry e, String how) {
    ctx.status(200);
    for (String[] h : e.headers()) {
      ctx.header(h[0], h[1]);
    }
    ctx.header(HEADER, how).result(e.body());
  }

  private int queriesKept(String id, String kind) {
    String prefix = id + "|" + kind + "?";
    synchronized (entries) {
      return (int) entries.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }
  }

  private Entry lookup(String key) {
    synchronized (entries) {
      return entries.get(key);
    }
  }

  private void put(String key, Entry e) {
    synchronized (entries) {
      Entry old = entries.put(key, e);
      totalBytes += e.body().length - (old == null ? 0 : old.body().length);
      Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
      while ((totalBytes > maxTotalBytes || entries.size() > MAX_ENTRIES) && eldest.hasNext()) {
        Map.Entry<String, Entry> victim = eldest.next();
        if (victim.getValue() == e) {
          continue;
        }
        totalBytes -= victim.getValue().body().length;
        eldest.remove();
      }
    }
  }

  /** Drops everything kept for a model (it was deleted). */
  void forget(String id) {
    synchronized (entries) {
      entries.entrySet().removeIf(e -> {
        boolean gone = e.getKey().startsWith(id + "|");
        if (gone) {
          totalBytes -= e.getValue().body().length;
        }
        return gone;
      });
    }
    renderLocks.keySet().removeIf(k -> k.startsWith(id + "|"));
  }

  /** Bytes of all kept answers, for tests. */
  long bytesKept() {
    synchronized (entries) {
      return totalBytes;
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }
}
