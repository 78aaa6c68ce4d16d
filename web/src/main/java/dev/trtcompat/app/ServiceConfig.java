package dev.trtcompat.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The service's configuration, built once at start-up and passed explicitly to what needs it.
 *
 * @param dataDir absolute; holds {@code models/} and {@code tmp/}
 * @param maxUploadBytes the largest upload request body accepted
 * @param stopTimeout how long requests in flight may run on after a stop signal
 */
public record ServiceConfig(String host, int port, Path dataDir, long maxUploadBytes, Duration stopTimeout) {

  private static final Pattern DURATION = Pattern.compile("\\s*(\\d{1,9})\\s*(ms|s|m|h)\\s*");

  public ServiceConfig {
    if (host == null || host.isBlank()) {
      throw new InvalidConfigException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new InvalidConfigException("port must be between 0 and 65535, not " + port);
    }
    if (maxUploadBytes <= 0) {
      throw new InvalidConfigException("max-upload must be larger than 0");
    }
    dataDir = dataDir.toAbsolutePath().normalize();
  }

  /**
   * Builds the configuration: defaults, then the properties file, then the environment, then flags; each
   * layer overrides the one before.
   *
   * @param configFile the {@code --config} flag, or null; when null {@code TRT_COMPAT_CONFIG} is consulted
   * @param env the process environment (passed in so tests need not change the real one)
   * @param flags values given on the command line
   * @param workingDir what a relative {@code data-dir} is resolved against
   */
  public static ServiceConfig load(Path configFile, Map<String, String> env, Map<Setting, String> flags, Path workingDir) {
    Map<Setting, String> values = new EnumMap<>(Setting.class);
    Map<Setting, String> sources = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      values.put(s, s.defaultValue());
      sources.put(s, "default");
    }
    Path file = configFile;
    if (file == null && env.get(Setting.CONFIG_ENV) != null && !env.get(Setting.CONFIG_ENV).isBlank()) {
      file = Path.of(env.get(Setting.CONFIG_ENV));
    }
    if (file != null) {
      Path resolved = workingDir.resolve(file);
      Properties p = readProperties(resolved);
      for (String key : p.stringPropertyNames()) {
        Setting s = byKey(key, resolved);
        values.put(s, p.getProperty(key).trim());
        sources.put(s, "'" + key + "' in " + resolved);
      }
    }
    for (Setting s : Setting.values()) {
      String v = env.get(s.envVar());
      if (v != null) {
        values.put(s, v.trim());
        sources.put(s, "environment variable " + s.envVar());
      }
    }
    flags.forEach(
        (s, v) -> {
          if (v != null) {
            values.put(s, v.trim());
            sources.put(s, "flag --" + s.key());
          }
        });
    Parsed parsed = new Parsed(values, sources);
    return new ServiceConfig(
        parsed.text(Setting.HOST),
        parsed.port(),
        workingDir.resolve(parsed.text(Setting.DATA_DIR)),
        parsed.size(Setting.MAX_UPLOAD),
        parsed.duration(Setting.STOP_TIMEOUT));
  }

  /** Parses {@code 30s}, {@code 2m}, {@code 500ms}, {@code 1h}, or an ISO-8601 duration such as {@code PT30S}. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 30s, 2m or 500ms");
    }
  }

  private static Properties readProperties(Path file) {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidConfigException("cannot read the configuration file " + file + ": " + e.getMessage());
    }
    return p;
  }

  private static Setting byKey(String key, Path file) {
    return Arrays.stream(Setting.values())
        .filter(s -> s.key().equals(key.trim()))
        .findFirst()
        .orElseThrow(
            () -> new InvalidConfigException(
                "unknown key '" + key + "' in " + file + "; known keys: "
                    + Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.joining(", "))));
  }

  /** Turns the merged text values into typed ones, naming where a bad value came from. */
  private record Parsed(Map<Setting, String> values, Map<Setting, String> sources) {

    String text(Setting s) {
      String v = values.get(s);
      if (v.isEmpty()) {
        throw bad(s, "must not be empty");
      }
      return v;
    }

    int port() {
      try {
        int p = Integer.parseInt(text(Setting.PORT));
        if (p >= 0 && p <= 65535) {
          return p;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw bad(Setting.PORT, "must be a number from 0 to 65535");
    }

    long size(Setting s) {
      try {
        long v = ByteSize.parse(text(s));
        if (v > 0) {
          return v;
        }
        throw bad(s, "must be larger than 0");
      } catch (IllegalArgumentException e) {
        throw bad(s, e.getMessage());
      }
    }

    Duration duration(Setting s) {
      try {
        return parseDuration(text(s));
      } catch (IllegalArgumentException e) {
        throw bad(s, e.getMessage());
      }
    }

    private InvalidConfigException bad(Setting s, String why) {
      return new InvalidConfigException(
          s.key() + " = '" + values.get(s) + "' (from " + sources.get(s) + ") " + (why.startsWith("'") ? "is invalid: " + why : why));
    }
  }
}
