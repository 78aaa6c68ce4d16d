package dev.trtcompat.app;

import java.util.Locale;

/**
 * Every setting of {@code trt-compat serve}: one name used in the properties file and as the flag
 * ({@code --name}), one environment variable, one default. docs/web.md lists the same table, and nothing else in
 * the service reads the environment: {@link ServiceConfig#load} resolves each setting here (defaults, file,
 * environment, flags) and hands the container and Docker ones to the job service.
 */
public enum Setting {
  HOST("host", "127.0.0.1", "Address to listen on. Anything but a loopback address needs API tokens (api-tokens or api-tokens-file)."),
  PORT("port", "7070", "TCP port; 0 picks a free one (the log says which)."),
  DATA_DIR("data-dir", "data", "Folder for uploaded models and temporary files, relative to the working directory unless absolute."),
  MAX_UPLOAD("max-upload", "4GiB", "Largest upload request accepted (model plus external-data files), e.g. 4GiB, 500MB."),
  STOP_TIMEOUT("stop-timeout", "30s", "On SIGTERM, how long requests in flight may take to finish, e.g. 30s, 2m, 500ms."),
  API_TOKENS("api-tokens", "", "Client tokens as name:secret, separated by commas; secrets of 16+ characters. Empty: no authentication."),
  API_TOKENS_FILE("api-tokens-file", "", "File with one name:secret per line (# comments); added to api-tokens. Empty: none."),
  MAX_CONCURRENT_UPLOADS("max-concurrent-uploads", "8", "Uploads received at once; one more is answered 429 with Retry-After."),
  UPLOAD_EXPIRY("upload-expiry", "24h", "How long a resumable upload may receive nothing before it is removed with its files, e.g. 24h, 90m."),
  MAX_JOBS("max-jobs", "100", "Unfinished jobs (queued or running) over all clients; one more is answered 429."),
  MAX_JOBS_PER_CLIENT("max-jobs-per-client", "10", "Unfinished jobs per client (token name, or remote address without tokens); one more is answered 429."),
  WORKERS("workers", "2", "Matrix cells this instance runs at once."),
  DATABASE_URL("database-url", "", "JDBC URL of a PostgreSQL database shared by instances (jdbc:postgresql://...). Empty: SQLite in the data folder."),
  ENGINE_QUOTA("engine-quota", "20GiB", "Disk space for built engines; the least recently used are removed beyond it."),
  INSTANCE_ID("instance-id", "", "This instance's name in the job queue, unique among instances sharing a database. Empty: host name plus a random suffix."),
  REGISTRY("registry", "nvcr.io/nvidia", "Where TensorRT images come from: NGC or a private mirror holding the same tags."),
  CONTAINER_ENV("container-env", "", "Extra environment for every conversion container, NAME=VALUE separated by commas."),
  GPUS("gpus", "all", "GPUs given to conversion containers: all, none (CPU-only hosts) or device ids 0,1."),
  CONTAINER_OWNER("container-owner", "trt-compat", "Owner label of this deployment's containers; deployments sharing one Docker engine need distinct owners."),
  DOCKER_HOST("docker-host", "", "Docker engine: unix:///path or tcp://host:port. Empty: the local socket.", "DOCKER_HOST"),
  DOCKER_TLS_VERIFY("docker-tls-verify", "", "1 or true: talk TLS to a tcp:// Docker engine, with the certificates in docker-cert-path.", "DOCKER_TLS_VERIFY"),
  DOCKER_CERT_PATH("docker-cert-path", "", "Folder with ca.pem, cert.pem and key.pem for docker-tls-verify.", "DOCKER_CERT_PATH");

  /** Names a properties file with settings; given as {@code --config} or this variable. */
  public static final String CONFIG_ENV = "TRT_COMPAT_CONFIG";

  private final String key;
  private final String defaultValue;
  private final String description;
  private final String envVar;

  Setting(String key, String defaultValue, String description) {
    this(key, defaultValue, description, "TRT_COMPAT_" + key.replace('-', '_').toUpperCase(Locale.ROOT));
  }

  /** A setting read under a name other tools share (Docker's own {@code DOCKER_*} variables). */
  Setting(String key, String defaultValue, String description, String envVar) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
    this.envVar = envVar;
  }

  /** The key in the properties file and the flag name without its dashes. */
  public String key() {
    return key;
  }

  /** {@code TRT_COMPAT_} and the key in capitals with underscores, except Docker's own variables. */
  public String envVar() {
    return envVar;
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }
}
