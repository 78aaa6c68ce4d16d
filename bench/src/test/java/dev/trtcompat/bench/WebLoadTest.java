package dev.trtcompat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The generator against a real HTTP server (the JDK's) on loopback: counts, error kinds, keep-alive, stop. */
class WebLoadTest {

  private HttpServer server;
  private final AtomicInteger served = new AtomicInteger();
  private final Set<String> connections = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/fixed", ex -> {
      connections.add(ex.getRemoteAddress().toString());
      served.incrementAndGet();
      byte[] body = "x".repeat(5000).getBytes(StandardCharsets.US_ASCII);
      ex.sendResponseHeaders(200, body.length); // Content-Length
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    server.createContext("/chunked", ex -> {
      served.incrementAndGet();
      ex.sendResponseHeaders(200, 0); // 0 = chunked transfer encoding
      try (OutputStream o = ex.getResponseBody()) {
        for (int i = 0; i < 20; i++) {
          o.write(("chunk " + i + "\n").repeat(100).getBytes(StandardCharsets.US_ASCII));
          o.flush();
        }
      }
    });
    server.createContext("/missing", ex -> {
      served.incrementAndGet();
      ex.sendResponseHeaders(404, -1); // no body
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  @Test
  void countsEveryRequestSeparatesErrorKindsAndStopsByItself() throws Exception {
    WebLoad.Options o = WebLoad.Options.parse("--clients", "3", "--seconds", "1", "--timeout-ms", "2000",
        "--p99-ms", "1000", url("/fixed"), url("/chunked"), url("/missing"));

    long t0 = System.nanoTime();
    List<WebLoad.UrlResult> results = WebLoad.run(o);
    long tookMs = (System.nanoTime() - t0) / 1_000_000;

    // Stops by itself: not before its second, and not long after it even on a loaded machine. How many
    // requests fit in that second depends on the machine, so the counts below are checked for consistency,
    // not for speed (throughput belongs to bench/web-load.sh).
    assertThat(tookMs).isBetween(1000L, 30_000L);
    WebLoad.UrlResult fixed = results.get(0);
    WebLoad.UrlResult chunked = results.get(1);
    WebLoad.UrlResult missing = results.get(2);
    assertThat(fixed.requests()).isPositive();
    assertThat(fixed.errors()).isEmpty();
    assertThat(chunked.requests()).isPositive();
    assertThat(chunked.errors()).isEmpty();
    assertThat(missing.errors()).containsOnlyKeys("HTTP 404");
    assertThat(missing.errorCount()).isEqualTo(missing.requests()).isPositive();
    // Each client cycles through the URLs, so the counts differ by at most one per client.
    assertThat(Math.abs(fixed.requests() - missing.requests())).isLessThanOrEqualTo(3);
    assertThat(fixed.latencies().percentileMillis(50)).isPositive();
    assertThat(fixed.perSecond()).isPositive();
    // Keep-alive: 3 clients use a handful of connections for hundreds of requests.
    assertThat(served.get()).isGreaterThanOrEqualTo((int) (fixed.requests() + chunked.requests() + missing.requests()));
    assertThat(connections.size()).isLessThanOrEqualTo(3);

    ByteArrayOutputStream text = new ByteArrayOutputStream();
    boolean met = WebLoad.print(o, results, new PrintStream(text, true, StandardCharsets.UTF_8));
    String table = text.toString(StandardCharsets.UTF_8);
    assertThat(met).isFalse(); // the 404s are errors
    assertThat(table).contains("| /fixed | " + fixed.requests() + " | 0 |")
        .contains("errors on /missing: " + missing.errorCount() + " x HTTP 404")
        .contains("MISSED");
  }

  @Test
  void aServerThatIsGoneGivesConnectionErrorsNotAHang() throws Exception {
    String url = url("/fixed");
    server.stop(0);

    List<WebLoad.UrlResult> results = WebLoad.run(WebLoad.Options.parse(
        "--clients", "2", "--seconds", "0.5", "--timeout-ms", "500", url));

    assertThat(results.get(0).latencies().count()).isZero();
    assertThat(results.get(0).errors()).containsOnlyKeys("ConnectException");
    assertThat(results.get(0).requests()).isEqualTo(results.get(0).errorCount()).isPositive();
  }

  @Test
  void allTargetsMetWhenEverythingAnswersQuickly() throws Exception {
    WebLoad.Options o = WebLoad.Options.parse("--clients", "2", "--seconds", "0.5", "--p99-ms", "2000", url("/fixed"));
    ByteArrayOutputStream text = new ByteArrayOutputStream();

    assertThat(WebLoad.print(o, WebLoad.run(o), new PrintStream(text, true, StandardCharsets.UTF_8))).isTrue();
    assertThat(text.toString(StandardCharsets.UTF_8)).contains(": met");
  }
}
