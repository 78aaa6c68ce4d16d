package dev.trtcompat.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP load generator for the service on loopback: N clients, each on its own keep-alive connection,
 * request a list of URLs in turn for a fixed time (closed loop: a client sends its next request when the
 * previous one is answered), then per URL it prints requests, errors by kind, throughput and latency
 * percentiles. With {@code --enforce} it exits 1 when a URL's p99 or the error count misses its target.
 *
 * <p>Usage: {@code java -cp bench/target/classes dev.trtcompat.bench.WebLoad [--clients 50] [--seconds 60]
 * [--warmup 0] [--timeout-ms 10000] [--p99-ms 100] [--max-errors 0] [--enforce] URL...}
 */
public final class WebLoad {

  /** What to run and the targets to check. */
  record Options(
      List<LoadTarget> targets,
      int clients,
      Duration duration,
      Duration warmup,
      Duration timeout,
      double p99TargetMillis,
      long maxErrors,
      boolean enforce) {

    Options {
      if (targets.isEmpty()) {
        throw new IllegalArgumentException("give at least one URL to request");
      }
      if (clients < 1 || duration.isNegative() || duration.isZero() || warmup.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("--clients, --seconds and --timeout-ms must be positive");
      }
      targets = List.copyOf(targets);
    }

    static Options parse(String... args) {
      List<LoadTarget> targets = new ArrayList<>();
      int clients = 50;
      double seconds = 60;
      double warmup = 0;
      long timeoutMs = 10_000;
      double p99 = 100;
      long maxErrors = 0;
      boolean enforce = false;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--clients" -> clients = Integer.parseInt(value(args, ++i, a));
          case "--seconds" -> seconds = Double.parseDouble(value(args, ++i, a));
          case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, a));
          case "--timeout-ms" -> timeoutMs = Long.parseLong(value(args, ++i, a));
          case "--p99-ms" -> p99 = Double.parseDouble(value(args, ++i, a));
          case "--max-errors" -> maxErrors = Long.parseLong(value(args, ++i, a));
          case "--enforce" -> enforce = true;
          default -> {
            if (a.startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            targets.add(LoadTarget.parse(a));
          }
        }
      }
      return new Options(targets, clients, Duration.ofMillis((long) (seconds * 1000)),
          Duration.ofMillis((long) (warmup * 1000)), Duration.ofMillis(timeoutMs), p99, maxErrors, enforce);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }

  /** What one URL got during the measured period. */
  record UrlResult(LoadTarget target, Latencies latencies, Map<String, Long> errors, Duration measured) {

    /** Requests answered plus requests that failed without an answer. */
    long requests() {
      return latencies.count() + errors.entrySet().stream()
          .filter(e -> !e.getKey().startsWith("HTTP "))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }

    long errorCount() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    double perSecond() {
      return requests() / (measured.toNanos() / 1e9);
    }
  }

  private WebLoad() {}

  public static void main(String[] args) throws InterruptedException {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("web-load: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.err.printf(Locale.ROOT, "web-load: %d clients, %s warm-up then %s measured, %d URL(s)%n",
        o.clients(), o.warmup(), o.duration(), o.targets().size());
    List<UrlResult> results = run(o);
    boolean met = print(o, results, System.out);
    System.exit(o.enforce() && !met ? 1 : 0);
  }

  /** Runs the load and returns one result per URL, in the order given. Stops by itself. */
  static List<UrlResult> run(Options o) throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + o.warmup().toNanos();
    long end = measureFrom + o.duration().toNanos();
    List<Client> clients = new ArrayList<>();
    for (int i = 0; i < o.clients(); i++) {
      Client c = new Client(o, i, measureFrom, end);
      clients.add(c);
      c.thread.start();
    }
    // Every request started before the end finishes within the timeout (plus one retry on a stale connection).
    long joinBy = end + 2 * o.timeout().toNanos() + Duration.ofSeconds(5).toNanos();
    for (Client c : clients) {
      c.thread.join(Math.max(1, (joinBy - System.nanoTime()) / 1_000_000));
      if (c.thread.isAlive()) {
        System.err.println("web-load: " + c.thread.getName() + " did not stop in time; its figures are left out");
        c.thread.interrupt();
      }
    }
    List<UrlResult> results = new ArrayList<>();
    for (int u = 0; u < o.targets().size(); u++) {
      Latencies all = new Latencies();
      Map<String, Long> errors = new TreeMap<>();
      for (Client c : clients) {
        if (!c.thread.isAlive()) {
          all.addAll(c.latencies[u]);
          c.errors.get(u).forEach((k, v) -> errors.merge(k, v, Long::sum));
        }
      }
      results.add(new UrlResult(o.targets().get(u), all, errors, o.duration()));
    }
    return results;
  }

  /** Prints a Markdown table and the verdicts; returns whether every target was met. */
  static boolean print(Options o, List<UrlResult> results, PrintStream out) {
    out.println("| URL | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |");
    out.println("|---|---|---|---|---|---|---|---|");
    boolean met = true;
    long errors = 0;
    for (UrlResult r : results) {
      Latencies l = r.latencies();
      out.printf(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %.1f |%n", shortPath(r), r.requests(),
          r.errorCount(), r.perSecond(), l.percentileMillis(50), l.percentileMillis(90), l.percentileMillis(99),
          l.maxMillis());
      errors += r.errorCount();
      if (!(l.percentileMillis(99) < o.p99TargetMillis())) {
        met = false;
      }
    }
    for (UrlResult r : results) {
      r.errors().forEach((kind, n) -> out.printf("errors on %s: %d x %s%n", shortPath(r), n, kind));
    }
    out.printf(Locale.ROOT, "target p99 < %.0f ms on every URL and at most %d errors: %s%n",
        o.p99TargetMillis(), o.maxErrors(), met && errors <= o.maxErrors() ? "met" : "MISSED");
    return met && errors <= o.maxErrors();
  }

  /** The path with 64-hex ids (model and engine SHA-256) written {@code {id}}, so the table stays narrow. */
  private static String shortPath(UrlResult r) {
    return r.target().path().replaceAll("[0-9a-f]{64}", "{id}");
  }

  /** One simulated user: a thread with its own connection and its own tallies (merged after the run). */
  private static final class Client implements Runnable {
    final Thread thread;
    final Latencies[] latencies;
    final List<Map<String, Long>> errors = new ArrayList<>();
    private final Options o;
    private final int first;
    private final long measureFrom;
    private final long end;

    Client(Options o, int index, long measureFrom, long end) {
      this.o = o;
      this.first = index;
      this.measureFrom = measureFrom;
      this.end = end;
      latencies = new Latencies[o.targets().size()];
      for (int u = 0; u < latencies.length; u++) {
        latencies[u] = new Latencies();
        errors.add(new TreeMap<>());
      }
      thread = new Thread(this, "load-client-" + index);
      thread.setDaemon(true); // a client stuck past its deadline must not keep the JVM alive
    }

    @Override
    public void run() {
      List<LoadTarget> targets = o.targets();
      // Clients start on different URLs so every URL is under load from the first second.
      int u = first % targets.size();
      try (KeepAliveConnection conn = new KeepAliveConnection(o.timeout())) {
        for (long t0 = System.nanoTime(); t0 < end && !Thread.currentThread().isInterrupted(); t0 = System.nanoTime()) {
          boolean measured = t0 >= measureFrom;
          try {
            int status = conn.get(targets.get(u));
            long took = System.nanoTime() - t0;
            if (measured) {
              latencies[u].add(took);
              if (status < 200 || status >= 300) {
                errors.get(u).merge("HTTP " + status, 1L, Long::sum);
              }
            }
          } catch (IOException | RuntimeException e) {
            if (measured) {
              errors.get(u).merge(e.getClass().getSimpleName(), 1L, Long::sum);
            }
          }
          u = (u + 1) % targets.size();
        }
      }
    }
  }
}
