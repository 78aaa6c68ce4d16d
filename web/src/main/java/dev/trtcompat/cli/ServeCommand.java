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

  @Option(names = "--api-tokens", paramLabel = "NAME:SECRET,...", description = "Client tokens; secrets of 16+ characters (env TRT_COMPAT_API_TOKENS). Prefer --api-tokens-file: flags show in the process list.")
  String apiTokens;

  @Option(names = "--api-tokens-file", paramLabel = "FILE", description = "File with one NAME:SECRET per line (env TRT_COMPAT_API_TOKENS_FILE). Without tokens the service only listens on loopback.")
  String apiTokensFile;

  @Option(names = "--max-concurrent-uploads", paramLabel = "N", description = "Uploads received at once (default 8; env TRT_COMPAT_MAX_CONCURRENT_UPLOADS).")
  String maxConcurrentUploads;

  @Option(names = "--upload-expiry", paramLabel = "DURATION", description = "How long a resumable upload may receive nothing before it is removed (default 24h; env TRT_COMPAT_UPLOAD_EXPIRY).")
  String uploadExpiry;

  @Option(names = "--max-jobs", paramLabel = "N", description = "Unfinished jobs over all clients (default 100; env TRT_COMPAT_MAX_JOBS).")
  String maxJobs;

  @Option(names = "--max-jobs-per-client", paramLabel = "N", description = "Unfinished jobs per client (default 10; env TRT_COMPAT_MAX_JOBS_PER_CLIENT).")
  String maxJobsPerClient;

  @Option(names = "--workers", paramLabel = "N", description = "Matrix cells this instance runs at once (default 2; env TRT_COMPAT_WORKERS).")
  String workers;

  @Option(names = "--database-url", paramLabel = "JDBC_URL", description = "PostgreSQL shared by instances, jdbc:postgresql://HOST/DB (default: SQLite in the data folder; env TRT_COMPAT_DATABASE_URL).")
  String databaseUrl;

  @Option(names = "--engine-quota", paramLabel = "SIZE", description = "Disk space for engines, least recently used removed beyond it (default 20GiB; env TRT_COMPAT_ENGINE_QUOTA).")
  String engineQuota;

  @Option(names = "--instance-id", paramLabel = "ID", description = "Name of this instance in the job queue (default: host name plus a random suffix; env TRT_COMPAT_INSTANCE_ID).")
  String instanceId;

  @Option(names = "--registry", paramLabel = "HOST/PATH", description = "Where TensorRT images come from, NGC or a mirror (default nvcr.io/nvidia; env TRT_COMPAT_REGISTRY).")
  String registry;

  @Option(names = "--container-env", paramLabel = "NAME=VALUE,...", description = "Extra environment for conversion containers (env TRT_COMPAT_CONTAINER_ENV).")
  String containerEnv;

  @Option(names = "--gpus", paramLabel = "all|none|IDS", description = "GPUs for conversion containers (default all; env TRT_COMPAT_GPUS).")
  String gpus;

  @Option(names = "--container-owner", paramLabel = "NAME", description = "Owner label of this deployment's containers (default trt-compat; env TRT_COMPAT_CONTAINER_OWNER).")
  String containerOwner;

  @Option(names = "--docker-host", paramLabel = "URL", description = "Docker engine, unix:///PATH or tcp://HOST:PORT (default: the local socket; env DOCKER_HOST).")
  String dockerHost;

  @Option(names = "--docker-tls-verify", paramLabel = "1|true", description = "TLS to a tcp:// Docker engine (env DOCKER_TLS_VERIFY).")
  String dockerTlsVerify;

  @Option(names = "--docker-cert-path", paramLabel = "DIR", description = "Folder with ca.pem, cert.pem, key.pem for TLS (env DOCKER_CERT_PATH).")
  String dockerCertPath;

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file with the same keys as the flags (host=, port=, data-dir=, api-tokens-file=, ...).")
  Path config;

  @Override
  public Integer call() throws Exception {
    ServiceConfig cfg = ServiceConfig.load(config, System.getenv(), flags(), Path.of("").toAbsolutePath());
    // Instances sharing a database share the data folder too, each with its own staging area and lock.
    FileModelStore store = FileModelStore.open(cfg.dataDir(), cfg.databaseUrl().isPresent() ? cfg.instanceId() : null);
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
    put(f, Setting.API_TOKENS, apiTokens);
    put(f, Setting.API_TOKENS_FILE, apiTokensFile);
    put(f, Setting.MAX_CONCURRENT_UPLOADS, maxConcurrentUploads);
    put(f, Setting.UPLOAD_EXPIRY, uploadExpiry);
    put(f, Setting.MAX_JOBS, maxJobs);
    put(f, Setting.MAX_JOBS_PER_CLIENT, maxJobsPerClient);
    put(f, Setting.WORKERS, workers);
    put(f, Setting.DATABASE_URL, databaseUrl);
    put(f, Setting.ENGINE_QUOTA, engineQuota);
    put(f, Setting.INSTANCE_ID, instanceId);
    put(f, Setting.REGISTRY, registry);
    put(f, Setting.CONTAINER_ENV, containerEnv);
    put(f, Setting.GPUS, gpus);
    put(f, Setting.CONTAINER_OWNER, containerOwner);
    put(f, Setting.DOCKER_HOST, dockerHost);
    put(f, Setting.DOCKER_TLS_VERIFY, dockerTlsVerify);
    put(f, Setting.DOCKER_CERT_PATH, dockerCertPath);
    return f;
  }

  private static void put(Map<Setting, String> f, Setting s, String v) {
    if (v != null) {
      f.put(s, v);
    }
  }
}
