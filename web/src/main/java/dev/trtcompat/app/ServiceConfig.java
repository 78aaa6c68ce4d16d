package dev.trtcompat.app;

import dev.trtcompat.jobs.JobRunnerConfig;
import dev.trtcompat.service.InstanceIds;
import dev.trtcompat.service.JobSettings;
import dev.trtcompat.units.ByteSize;
import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * @param apiTokens the clients allowed in; {@link ApiTokens#none()} leaves the service open, which is only
 *     allowed on a loopback address
 * @param maxConcurrentUploads uploads received at once (each holds a request stream and a file on disk)
 * @param maxJobs unfinished jobs over all clients
 * @param maxJobsPerClient unfinished jobs per client (see {@code dev.trtcompat.http.Access#clientId})
 * @param workers matrix cells this instance runs at once
 * @param databaseUrl a {@code jdbc:postgresql:} URL shared by instances, or empty for SQLite in {@code dataDir}
 * @param engineQuotaBytes disk space for built engines before the least recently used are removed
 * @param instanceId this instance's name in the job queue's owner column
 * @param uploadExpiry how long a resumable upload may receive nothing before it is removed
 */
public record ServiceConfig(
    String host,
    int port,
    Path dataDir,
    long maxUploadBytes,
    Duration stopTimeout,
    ApiTokens apiTokens,
    int maxConcurrentUploads,
    int maxJobs,
    int maxJobsPerClient,
    int workers,
    Optional<String> databaseUrl,
    long engineQuotaBytes,
    String instanceId,
    Map<Setting, String> containerSettings,
    Duration uploadExpiry) {

  private static final Pattern DURATION = Pattern.compile("\\s*(\\d{1,9})\\s*(ms|s|m|h)\\s*");
  private static final Pattern INSTANCE_ID = Pattern.compile("[\\x21-\\x7e]{1,200}");

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
    apiTokens = apiTokens == null ? ApiTokens.none() : apiTokens;
    if (!apiTokens.enabled() && !isLoopback(host)) {
      throw new InvalidConfigException(
          "host = '" + host + "' is reachable from other machines, but no API tokens are configured; "
              + "set api-tokens-file (or TRT_COMPAT_API_TOKENS_FILE, --api-tokens-file) or listen on 127.0.0.1");
    }
    requireRange("max-concurrent-uploads", maxConcurrentUploads, 1, 10_000);
    requireRange("max-jobs", maxJobs, 1, 1_000_000);
    requireRange("max-jobs-per-client", maxJobsPerClient, 1, 1_000_000);
    if (maxJobsPerClient > maxJobs) {
      throw new InvalidConfigException(
          "max-jobs-per-client (" + maxJobsPerClient + ") must not be more than max-jobs (" + maxJobs + ")");
    }
    requireRange("workers", workers, 1, 256);
    databaseUrl = databaseUrl == null ? Optional.empty() : databaseUrl.filter(u -> !u.isBlank());
    if (databaseUrl.isPresent() && !databaseUrl.get().startsWith("jdbc:postgresql:")) {
      throw new InvalidConfigException(
          "database-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host/db), or empty for SQLite in the data folder");
    }
    if (engineQuotaBytes <= 0) {
      throw new InvalidConfigException("engine-quota must be larger than 0");
    }
    if (instanceId == null || !INSTANCE_ID.matcher(instanceId).matches()) {
      throw new InvalidConfigException("instance-id must be 1 to 200 visible characters without spaces");
    }
    containerSettings = containerSettings == null ? Map.of() : Map.copyOf(containerSettings);
    uploadExpiry = uploadExpiry == null ? parseDuration(Setting.UPLOAD_EXPIRY.defaultValue()) : uploadExpiry;
    if (uploadExpiry.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new InvalidConfigException("upload-expiry must be at least 1m, not " + uploadExpiry);
    }
  }

  /** Resumable uploads expiring after the default time. */
  public ServiceConfig(String host, int port, Path dataDir, long maxUploadBytes, Duration stopTimeout,
      ApiTokens apiTokens, int maxConcurrentUploads, int maxJobs, int maxJobsPerClient, int workers,
      Optional<String> databaseUrl, long engineQuotaBytes, String instanceId, Map<Setting, String> containerSettings) {
    this(host, port, dataDir, maxUploadBytes, stopTimeout, apiTokens, maxConcurrentUploads, maxJobs, maxJobsPerClient,
        workers, databaseUrl, engineQuotaBytes, instanceId, containerSettings, null);
  }

  /** The settings the job service reads for containers and Docker; absent ones take their defaults. */
  static final List<Setting> CONTAINER_SETTINGS = List.of(Setting.REGISTRY, Setting.CONTAINER_ENV, Setting.GPUS,
      Setting.CONTAINER_OWNER, Setting.DOCKER_HOST, Setting.DOCKER_TLS_VERIFY, Setting.DOCKER_CERT_PATH);

  /** Without container settings: every one at its default. */
  public ServiceConfig(String host, int port, Path dataDir, long maxUploadBytes, Duration stopTimeout,
      ApiTokens apiTokens, int maxConcurrentUploads, int maxJobs, int maxJobsPerClient, int workers,
      Optional<String> databaseUrl, long engineQuotaBytes, String instanceId) {
    this(host, port, dataDir, maxUploadBytes, stopTimeout, apiTokens, maxConcurrentUploads, maxJobs, maxJobsPerClient,
        workers, databaseUrl, engineQuotaBytes, instanceId, Map.of());
  }

  /** The configuration with the defaults of every setting added after the first five. */
  public ServiceConfig(String host, int port, Path dataDir, long maxUploadBytes, Duration stopTimeout) {
    this(host, port, dataDir, maxUploadBytes, stopTimeout, ApiTokens.none(),
        intDefault(Setting.MAX_CONCURRENT_UPLOADS), intDefault(Setting.MAX_JOBS),
        intDefault(Setting.MAX_JOBS_PER_CLIENT), intDefault(Setting.WORKERS), Optional.empty(),
        ByteSize.parse(Setting.ENGINE_QUOTA.defaultValue()), JobRunnerConfig.generatedInstanceId());
  }

  /** This configuration with other API tokens. */
  /**
   * How the service runs jobs as configured here, containers and Docker included (as {@link JobSettings#defaults}
   * describes them). Lives here, not in {@code service}, so that {@code app} depends on {@code service} and not
   * the other way round.
   */
  public JobSettings jobSettings() {
    // JobSettings.defaults reads the variables' names; the values come from this table, whatever their source.
    Map<String, String> env = new HashMap<>();
    for (Setting c : CONTAINER_SETTINGS) {
      String v = containerSettings.getOrDefault(c, c.defaultValue());
      if (!v.isEmpty()) {
        env.put(c.envVar(), v);
      }
    }
    JobSettings s = JobSettings.defaults(dataDir, instanceId, env);
    if (databaseUrl.isPresent()) {
      // Other instances may run containers on the same engine: leave theirs alone; dead ones' cells are
      // cleaned up one by one when recovered.
      s = s.withRunner(s.runner().withReapOnStart(false));
    }
    return s
        .withDatabaseUrl(databaseUrl.orElse(null))
        .withWorkers(workers)
        .withLimits(maxJobs, maxJobsPerClient)
        .withEngineQuota(engineQuotaBytes);
  }

  public ServiceConfig withApiTokens(ApiTokens tokens) {
    return new ServiceConfig(host, port, dataDir, maxUploadBytes, stopTimeout, tokens, maxConcurrentUploads,
        maxJobs, maxJobsPerClient, workers, databaseUrl, engineQuotaBytes, instanceId, containerSettings, uploadExpiry);
  }

  /** This configuration with another limit on uploads received at once. */
  public ServiceConfig withMaxConcurrentUploads(int uploads) {
    return new ServiceConfig(host, port, dataDir, maxUploadBytes, stopTimeout, apiTokens, uploads,
        maxJobs, maxJobsPerClient, workers, databaseUrl, engineQuotaBytes, instanceId, containerSettings, uploadExpiry);
  }

  /** Leaves out what may hold a password (the database URL's parameters) and shows token names only. */
  @Override
  public String toString() {
    return "ServiceConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", maxUploadBytes=" + maxUploadBytes
        + ", stopTimeout=" + stopTimeout + ", apiTokens=" + apiTokens + ", maxConcurrentUploads=" + maxConcurrentUploads
        + ", maxJobs=" + maxJobs + ", maxJobsPerClient=" + maxJobsPerClient + ", workers=" + workers
        + ", databaseUrl=" + databaseUrl.map(u -> u.replaceAll("[?;].*$", "?...").replaceAll("//[^/@]*@", "//...@")).orElse("(SQLite)")
        + ", engineQuotaBytes=" + engineQuotaBytes + ", instanceId=" + instanceId + ", uploadExpiry=" + uploadExpiry + "]";
  }

  /** Whether {@code host} names only this machine; a name that does not resolve does not. */
  public static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void requireRange(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new InvalidConfigException(key + " must be from " + min + " to " + max + ", not " + value);
    }
  }

  private static int intDefault(Setting s) {
    return Integer.parseInt(s.defaultValue());
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
    String tokenFile = parsed.optional(Setting.API_TOKENS_FILE);
    ApiTokens tokens = ApiTokens.parse(
        parsed.optional(Setting.API_TOKENS),
        tokenFile.isEmpty() ? null : workingDir.resolve(tokenFile),
        sources.get(Setting.API_TOKENS),
        sources.get(Setting.API_TOKENS_FILE));
    String instanceId = parsed.optional(Setting.INSTANCE_ID);
    return new ServiceConfig(
        parsed.text(Setting.HOST),
        parsed.port(),
        workingDir.resolve(parsed.text(Setting.DATA_DIR)),
        parsed.size(Setting.MAX_UPLOAD),
        parsed.duration(Setting.STOP_TIMEOUT),
        tokens,
        parsed.count(Setting.MAX_CONCURRENT_UPLOADS),
        parsed.count(Setting.MAX_JOBS),
        parsed.count(Setting.MAX_JOBS_PER_CLIENT),
        parsed.count(Setting.WORKERS),
        Optional.of(parsed.optional(Setting.DATABASE_URL)).filter(u -> !u.isBlank()),
        parsed.size(Setting.ENGINE_QUOTA),
        !instanceId.isEmpty() ? instanceId
            // A folder one server owns keeps its id across restarts, so a restart recovers its cells at once;
            // instances sharing a database and folder get fresh ones (their cells come back by lease).
            : parsed.optional(Setting.DATABASE_URL).isBlank()
                ? InstanceIds.stable(workingDir.resolve(parsed.text(Setting.DATA_DIR)))
                : JobRunnerConfig.generatedInstanceId(),
        containerSettings(values),
        parsed.duration(Setting.UPLOAD_EXPIRY));
  }

  private static Map<Setting, String> containerSettings(Map<Setting, String> values) {
    Map<Setting, String> out = new EnumMap<>(Setting.class);
    for (Setting s : CONTAINER_SETTINGS) {
      out.put(s, values.get(s));
    }
    return out;
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

    /** The value, which may be empty (the setting is off). */
    String optional(Setting s) {
      return values.get(s);
    }

    /** A whole number of at least 1; the upper bounds are checked by the record. */
    int count(Setting s) {
      try {
        int n = Integer.parseInt(text(s));
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw bad(s, "must be a whole number of at least 1");
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
