package dev.trtcompat.http;

import io.javalin.http.Handler;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keeps the last answer of a per-model read route (the model page, the matrix JSON, CSV and fragment) while the
 * model's state token is unchanged, so that many people watching one model cost one render per change instead
 * of one per request. The token changes with every cell event of the model (reference runs are cells too); a
 * cached answer is also dropped after {@link #MAX_AGE_NANOS}, which bounds how stale anything the token does
 * not cover (an engine evicted by the quota) can be.
 */
final class RenderCache {

  static final long MAX_AGE_NANOS = 5_000_000_000L;
  static final int MAX_ENTRIES = 256;
  /** Answers larger than this are not kept (a page of a huge graph is rare and big). */
  static final int MAX_BYTES = 4 << 20;

  /** Says whether an answer came from the cache: for operators and tests. */
  static final String HEADER = "X-Render-Cache";

  private record Entry(String token, int status, List<String[]> headers, byte[] body, long createdNanos) {}

  private final Function<String, String> tokens;
  private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /** @param tokens the model id to its current state token (cheap: called on every request) */
  RenderCache(Function<String, String> tokens) {
    this.tokens = tokens;
  }

  /** {@code route} answering from the cache while the model's token holds; {@code kind} names the route. */
  Handler cached(String kind, Handler route) {
    return ctx -> {
      if (ctx.queryString() != null && !ctx.queryString().isEmpty()) {
        route.handle(ctx); // a filtered view (?gpu=...) is computed each time, never cached under the plain key
        return;
      }
      String id = ctx.pathParam("id");
      String key = kind + ":" + id;
      String token = tokens.apply(id);
      Entry hit;
      synchronized (entries) {
        hit = entries.get(key);
      }
      if (hit != null && hit.token().equals(token) && System.nanoTime() - hit.createdNanos() < MAX_AGE_NANOS) {
        ctx.status(hit.status());
        for (String[] h : hit.headers()) {
          ctx.header(h[0], h[1]);
        }
        ctx.header(HEADER, "hit").result(hit.body());
        return;
      }
      route.handle(ctx);
      ctx.header(HEADER, "miss");
      if (ctx.statusCode() != 200) {
        return;
      }
      InputStream in = ctx.resultInputStream();
      if (in == null) {
        return;
      }
      byte[] body = readAll(in);
      ctx.result(body);
      if (body.length > MAX_BYTES) {
        return;
      }
      List<String[]> headers = new ArrayList<>();
      for (String name : ctx.res().getHeaderNames()) {
        if (!name.equalsIgnoreCase("Set-Cookie") && !name.equalsIgnoreCase("Date") && !name.equalsIgnoreCase("Content-Length")
            && !name.equalsIgnoreCase(HEADER)) {
          headers.add(new String[] {name, ctx.res().getHeader(name)});
        }
      }
      synchronized (entries) {
        entries.put(key, new Entry(token, 200, List.copyOf(headers), body, System.nanoTime()));
      }
    };
  }

  /** Drops everything kept for a model (it was deleted). */
  void forget(String id) {
    synchronized (entries) {
      entries.keySet().removeIf(k -> k.endsWith(":" + id));
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }
}
