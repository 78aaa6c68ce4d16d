package dev.trtcompat.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.http.WebServer;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.FileModelStore;
import dev.trtcompat.service.JobSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * A real trt-compat server on a free loopback port over a data folder, with a real HTTP client: the one server
 * set-up of the web tests. Jobs run as the configuration says (no Docker needed for static checks and reference
 * cells), or as given job settings say ({@link ConversionTestSupport#containerJobs}: the Docker engine and the
 * trtexec test double).
 */
public final class TestServer implements AutoCloseable {

  private final ServiceConfig config;
  private final JobSettings jobs;
  private FileModelStore store;
  private WebServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public TestServer(Path dataDir, long maxUploadBytes) throws IOException {
    this(new ServiceConfig("127.0.0.1", 0, dataDir, maxUploadBytes, Duration.ofSeconds(10)));
  }

  /** A server as {@code config} says (bind it to 127.0.0.1 port 0). */
  public TestServer(ServiceConfig config) throws IOException {
    this(config, null);
  }

  /** A server as {@code config} says whose jobs run as {@code jobs} says (null: as {@code config} says). */
  public TestServer(ServiceConfig config, JobSettings jobs) throws IOException {
    this.config = config;
    this.jobs = jobs;
    start();
  }

  public TestServer(Path dataDir) throws IOException {
    this(dataDir, 4L << 30);
  }

  private void start() throws IOException {
    store = FileModelStore.open(config.dataDir());
    try {
      server = jobs == null
          ? WebServer.start(config, store, WebServer.summarySections())
          : WebServer.start(config, store, WebServer.summarySections(), jobs);
    } catch (RuntimeException e) {
      store.close();
      store = null;
      throw e;
    }
  }

  /** Stops the server and starts a new one on the same data folder (a new port). */
  public void restart() throws IOException {
    close();
    start();
  }

  public WebServer server() {
    return server;
  }

  public FileModelStore store() {
    return store;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> upload(Multipart body) throws IOException, InterruptedException {
    return send(body.post(uri("/api/v1/models")).timeout(Duration.ofSeconds(60)).build());
  }

  public HttpResponse<String> uploadModel(String fileName, byte[] model) throws IOException, InterruptedException {
    return upload(new Multipart().file("model", fileName, model));
  }

  public static JsonNode json(HttpResponse<String> r) throws IOException {
    return Json.mapper().readTree(r.body());
  }

  /** Everything in the data folder's tmp/, which must be empty whenever no upload is in flight. */
  public long tmpEntries() throws IOException {
    try (Stream<Path> s = Files.list(store.tmpDir())) {
      return s.count();
    }
  }

  public long storedModels() throws IOException {
    try (Stream<Path> s = Files.list(store.modelsDir())) {
      return s.count();
    }
  }

  @Override
  public void close() throws IOException {
    if (server != null) {
      server.close();
      server = null;
    }
    if (store != null) {
      store.close();
      store = null;
    }
  }
}
