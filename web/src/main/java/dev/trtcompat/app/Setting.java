package dev.trtcompat.app;

import java.util.Locale;

/**
 * Every setting of {@code trt-compat serve}: one name used in the properties file and as the flag
 * ({@code --name}), one environment variable, one default. docs/web.md lists the same table.
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
  MAX_JOBS("max-jobs", "100", "Unfinished jobs (queued or running) over all clients; one more is answered 429."),
  MAX_JOBS_PER_CLIENT("max-jobs-per-client", "10", "Unfinished jobs per client (token name, or remote address without tokens); one more is answered 429."),
  WORKERS("workers", "2", "Matrix cells this instance runs at once."),
  DATABASE_URL("database-url", "", "JDBC URL of a PostgreSQL database shared by instances (jdbc:postgresql://...). Empty: SQLite in the data folder."),
  ENGINE_QUOTA("engine-quota", "20GiB", "Disk space for built engines; the least recently used are removed beyond it."),
  INSTANCE_ID("instance-id", "", "This instance's name in the job queue, unique among instances sharing a database. Empty: host name plus a random suffix.");

  /** Names a properties file with settings; given as {@code --config} or this variable. */
  public static final String CONFIG_ENV = "TRT_COMPAT_CONFIG";

  private final String key;
  private final String defaultValue;
  private final String description;

  Setting(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** The key in the properties file and the flag name without its dashes. */
  public String key() {
    return key;
  }

  public String envVar() {
    return "TRT_COMPAT_" + key.replace('-', '_').toUpperCase(Locale.ROOT);
  }

  public String defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }
}
