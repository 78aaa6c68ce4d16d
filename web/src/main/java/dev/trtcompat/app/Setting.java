package dev.trtcompat.app;

import java.util.Locale;

/**
 * Every setting of {@code trt-compat serve}: one name used in the properties file and as the flag
 * ({@code --name}), one environment variable, one default. docs/web.md lists the same table.
 */
public enum Setting {
  HOST("host", "127.0.0.1", "Address to listen on. The default answers this machine only; the service has no authentication."),
  PORT("port", "7070", "TCP port; 0 picks a free one (the log says which)."),
  DATA_DIR("data-dir", "data", "Folder for uploaded models and temporary files, relative to the working directory unless absolute."),
  MAX_UPLOAD("max-upload", "4GiB", "Largest upload request accepted (model plus external-data files), e.g. 4GiB, 500MB."),
  STOP_TIMEOUT("stop-timeout", "30s", "On SIGTERM, how long requests in flight may take to finish, e.g. 30s, 2m, 500ms.");

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
