package dev.trtcompat.cli;

import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.app.Setting;
import dev.trtcompat.http.WebServer;
import dev.trtcompat.models.FileModelStore;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trt-compat serve}: the upload page and the REST API, until SIGTERM or Ctrl-C. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the upload page and the REST API (default http://127.0.0.1:7070/).",
      "Settings come from defaults, then --config FILE (or TRT_COMPAT_CONFIG), then TRT_COMPAT_* variables, then flags."
    })
final class ServeCommand implements Callable<Integer> {

  @Option(names = "--host", paramLabel = "ADDR", description = "Address to listen on (default 127.0.0.1; env TRT_COMPAT_HOST).")
  String host;

  @Option(names = "--port", paramLabel = "PORT", description = "TCP port, 0 for any free one (default 7070; env TRT_COMPAT_PORT).")
  String port;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder for uploaded models (default ./data; env TRT_COMPAT_DATA_DIR).")
  String dataDir;

  @Option(names = "--max-upload", paramLabel = "SIZE", description = "Largest upload, e.g. 4GiB, 500MB (default 4GiB; env TRT_COMPAT_MAX_UPLOAD).")
  String maxUpload;

  @Option(names = "--stop-timeout", paramLabel = "DURATION", description = "Time requests in flight get on SIGTERM (default 30s; env TRT_COMPAT_STOP_TIMEOUT).")
  String stopTimeout;

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with the same keys as the flags (host=, port=, data-dir=, max-upload=, stop-timeout=).")
  Path config;

  @Override
  public Integer call() throws Exception {
    ServiceConfig cfg = ServiceConfig.load(config, System.getenv(), flags(), Path.of("").toAbsolutePath());
    FileModelStore store = FileModelStore.open(cfg.dataDir());
    WebServer server;
    try {
      server = WebServer.start(cfg, store, WebServer.summarySections());
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
        store.close();
      } catch (Exception e) {
        LoggerFactory.getLogger(ServeCommand.class).warn("error while stopping", e);
      } finally {
        stopped.countDown();
      }
    }, "trt-compat-stop"));
    stopped.await();
    return 0;
  }

  Map<Setting, String> flags() {
    Map<Setting, String> f = new EnumMap<>(Setting.class);
    put(f, Setting.HOST, host);
    put(f, Setting.PORT, port);
    put(f, Setting.DATA_DIR, dataDir);
    put(f, Setting.MAX_UPLOAD, maxUpload);
    put(f, Setting.STOP_TIMEOUT, stopTimeout);
    return f;
  }

  private static void put(Map<Setting, String> f, Setting s, String v) {
    if (v != null) {
      f.put(s, v);
    }
  }
}
