package dev.trtcompat.testing;

import dev.trtcompat.cli.TrtCompatCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code trt-compat serve} as a real child process (the same classes as the test), with its log in a file: for
 * tests that kill it with SIGKILL or run two of them on one database.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final Pattern LISTENING = Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/");

  private final Process process;
  private final Path log;
  private final int port;
  private final HttpClient http = HttpClient.newHttpClient();

  private ServiceProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts {@code serve --port 0 --data-dir DATA} with only {@code env} as TRT_COMPAT_* settings; waits for its port. */
  public static ServiceProcess start(Path workDir, Path dataDir, Map<String, String> env, String logName, String... extraArgs)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), TrtCompatCommand.class.getName(),
        "serve", "--port", "0", "--data-dir", dataDir.toString()));
    cmd.addAll(List.of(extraArgs));
    Path log = workDir.resolve(logName);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("TRT_COMPAT_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    long already = Files.exists(log) ? Files.size(log) : 0;
    while (System.nanoTime() < deadline && p.isAlive()) {
      String text = Files.exists(log) ? Files.readString(log) : "";
      Matcher m = LISTENING.matcher(text.substring((int) Math.min(already, text.length())));
      if (m.find()) {
        return new ServiceProcess(p, log, Integer.parseInt(m.group(1)));
      }
      Thread.sleep(50);
    }
    p.destroyForcibly();
    throw new IllegalStateException("serve did not start:\n" + (Files.exists(log) ? Files.readString(log) : ""));
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Polls {@code GET /api/v1/jobs/{id}} until the job has finished; fails with the service's log otherwise. */
  public com.fasterxml.jackson.databind.JsonNode awaitJobFinished(long job, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      com.fasterxml.jackson.databind.JsonNode j = dev.trtcompat.json.Json.mapper().readTree(get("/api/v1/jobs/" + job).body());
      if (j.path("state").asText().equals("finished")) {
        return j;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("job " + job + " did not finish in " + timeout + ":\n" + log());
  }

  /** SIGKILL: no shutdown hook runs, nothing is cleaned up. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(40, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
