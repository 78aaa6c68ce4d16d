package dev.trtcompat.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceConfigTest {

  @TempDir Path work;

  @Test
  void defaultsBindLoopbackPort7070AndDataBesideTheWorkingDirectory() {
    ServiceConfig c = ServiceConfig.load(null, Map.of(), Map.of(), work);

    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(7070);
    assertThat(c.dataDir()).isEqualTo(work.resolve("data"));
    assertThat(c.maxUploadBytes()).isEqualTo(4L << 30);
    assertThat(c.stopTimeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void fileThenEnvironmentThenFlagsEachOverrideTheLayerBefore() throws Exception {
    Path file = work.resolve("trt-compat.properties");
    Files.writeString(file, "# comment\nport=8000\nhost=127.0.0.2\nmax-upload=1GiB\ndata-dir=/srv/models\nstop-timeout=5s\n");

    ServiceConfig fileOnly = ServiceConfig.load(file, Map.of(), Map.of(), work);
    assertThat(fileOnly.port()).isEqualTo(8000);
    assertThat(fileOnly.host()).isEqualTo("127.0.0.2");
    assertThat(fileOnly.maxUploadBytes()).isEqualTo(1L << 30);
    assertThat(fileOnly.dataDir()).isEqualTo(Path.of("/srv/models"));
    assertThat(fileOnly.stopTimeout()).isEqualTo(Duration.ofSeconds(5));

    Map<String, String> env = Map.of("TRT_COMPAT_PORT", "8001", "TRT_COMPAT_MAX_UPLOAD", "10MB");
    ServiceConfig withEnv = ServiceConfig.load(file, env, Map.of(), work);
    assertThat(withEnv.port()).isEqualTo(8001);
    assertThat(withEnv.maxUploadBytes()).isEqualTo(10_000_000L);
    assertThat(withEnv.host()).isEqualTo("127.0.0.2");

    ServiceConfig withFlags = ServiceConfig.load(file, env, Map.of(Setting.PORT, "8002", Setting.DATA_DIR, "rel"), work);
    assertThat(withFlags.port()).isEqualTo(8002);
    assertThat(withFlags.maxUploadBytes()).isEqualTo(10_000_000L);
    assertThat(withFlags.dataDir()).isEqualTo(work.resolve("rel"));
  }

  @Test
  void theConfigFileCanBeNamedByTheEnvironment() throws Exception {
    Files.writeString(work.resolve("c.properties"), "port=9000\n");

    ServiceConfig c = ServiceConfig.load(null, Map.of("TRT_COMPAT_CONFIG", "c.properties"), Map.of(), work);

    assertThat(c.port()).isEqualTo(9000);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "TRT_COMPAT_PORT|http|port = 'http' (from environment variable TRT_COMPAT_PORT) must be a number from 0 to 65535",
      "TRT_COMPAT_PORT|70000|port = '70000'",
      "TRT_COMPAT_MAX_UPLOAD|4 gigs|unknown unit 'gigs'",
      "TRT_COMPAT_MAX_UPLOAD|0|must be larger than 0",
      "TRT_COMPAT_STOP_TIMEOUT|soon|is not a duration",
      "TRT_COMPAT_HOST|'  '|host = '' (from environment variable TRT_COMPAT_HOST) must not be empty",
      "TRT_COMPAT_MAX_JOBS|0|max-jobs = '0' (from environment variable TRT_COMPAT_MAX_JOBS) must be a whole number of at least 1",
      "TRT_COMPAT_MAX_JOBS_PER_CLIENT|many|max-jobs-per-client = 'many'",
      "TRT_COMPAT_MAX_JOBS_PER_CLIENT|200|max-jobs-per-client (200) must not be more than max-jobs (100)",
      "TRT_COMPAT_WORKERS|1000|workers must be from 1 to 256, not 1000",
      "TRT_COMPAT_MAX_CONCURRENT_UPLOADS|-1|max-concurrent-uploads = '-1'",
      "TRT_COMPAT_ENGINE_QUOTA|lots|engine-quota = 'lots'",
      "TRT_COMPAT_DATABASE_URL|jdbc:mysql://db/x|database-url must be a PostgreSQL JDBC URL",
      "TRT_COMPAT_INSTANCE_ID|a b|instance-id must be 1 to 200 visible characters",
      "TRT_COMPAT_API_TOKENS|alice|entry 1 of api-tokens (from environment variable TRT_COMPAT_API_TOKENS) is not 'name:secret'",
      "TRT_COMPAT_API_TOKENS|alice:short|the secret of client 'alice' must be 16",
      "TRT_COMPAT_API_TOKENS|a b:0123456789abcdef|the client name 'a b' must be",
      "TRT_COMPAT_API_TOKENS|a:0123456789abcdef\\nb:0123456789abcdef|client 'b' has the same secret as client 'a'",
      "TRT_COMPAT_API_TOKENS|a:0123456789abcdef\\na:0123456789abcdeg|the client name 'a' is given twice",
      "TRT_COMPAT_API_TOKENS_FILE|missing.txt|cannot read the API token file",
      "TRT_COMPAT_HOST|0.0.0.0|host = '0.0.0.0' is reachable from other machines, but no API tokens are configured"})
  void badValuesAreRefusedNamingWhereTheyCameFrom(String variable, String value, String message) {
    assertThatThrownBy(() -> ServiceConfig.load(null, Map.of(variable, value.replace("\\n", "\n")), Map.of(), work))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.BAD_REQUEST));
  }

  @Test
  void theJobAndLimitSettingsHaveDefaultsAndComeFromEveryLayer() throws Exception {
    ServiceConfig defaults = ServiceConfig.load(null, Map.of(), Map.of(), work);
    assertThat(defaults.apiTokens().enabled()).isFalse();
    assertThat(defaults.maxConcurrentUploads()).isEqualTo(8);
    assertThat(defaults.maxJobs()).isEqualTo(100);
    assertThat(defaults.maxJobsPerClient()).isEqualTo(10);
    assertThat(defaults.workers()).isEqualTo(2);
    assertThat(defaults.databaseUrl()).isEmpty();
    assertThat(defaults.engineQuotaBytes()).isEqualTo(20L << 30);
    // A folder one server owns keeps its instance id (kept in the folder), so a restart recovers its cells at once;
    // instances sharing a PostgreSQL queue get a fresh id each start.
    assertThat(defaults.instanceId()).isNotBlank().isEqualTo(ServiceConfig.load(null, Map.of(), Map.of(), work).instanceId());
    Map<String, String> shared = Map.of("TRT_COMPAT_DATABASE_URL", "jdbc:postgresql://127.0.0.1:1/x");
    assertThat(ServiceConfig.load(null, shared, Map.of(), work).instanceId())
        .isNotEqualTo(ServiceConfig.load(null, shared, Map.of(), work).instanceId()).isNotEqualTo(defaults.instanceId());

    Path file = work.resolve("c.properties");
    Files.writeString(file, "max-jobs=50\nmax-jobs-per-client=5\nworkers=4\nengine-quota=1GiB\ninstance-id=node-a\n"
        + "database-url=jdbc:postgresql://db.example/trt\nmax-concurrent-uploads=3\n");
    ServiceConfig fromFile = ServiceConfig.load(file, Map.of(), Map.of(), work);
    assertThat(fromFile.maxJobs()).isEqualTo(50);
    assertThat(fromFile.maxJobsPerClient()).isEqualTo(5);
    assertThat(fromFile.workers()).isEqualTo(4);
    assertThat(fromFile.engineQuotaBytes()).isEqualTo(1L << 30);
    assertThat(fromFile.instanceId()).isEqualTo("node-a");
    assertThat(fromFile.databaseUrl()).hasValue("jdbc:postgresql://db.example/trt");
    assertThat(fromFile.maxConcurrentUploads()).isEqualTo(3);

    ServiceConfig overridden = ServiceConfig.load(file, Map.of("TRT_COMPAT_WORKERS", "8", "TRT_COMPAT_DATABASE_URL", ""),
        Map.of(Setting.INSTANCE_ID, "node-b", Setting.MAX_JOBS_PER_CLIENT, "50"), work);
    assertThat(overridden.workers()).isEqualTo(8);
    assertThat(overridden.databaseUrl()).as("empty means SQLite in the data folder").isEmpty();
    assertThat(overridden.instanceId()).isEqualTo("node-b");
    assertThat(overridden.maxJobsPerClient()).isEqualTo(50);
  }

  @Test
  void tokensComeFromTheFileAndTheListAndOpenOtherAddresses() throws Exception {
    Path tokens = work.resolve("tokens.txt");
    Files.writeString(tokens, "# team tokens\n\nalice:alice-secret-0123456789\n  ci-bot : ci-secret-0123456789abc  \n");
    Map<String, String> env = Map.of(
        "TRT_COMPAT_API_TOKENS_FILE", "tokens.txt",
        "TRT_COMPAT_API_TOKENS", "carol:carol-secret-012345678",
        "TRT_COMPAT_HOST", "0.0.0.0",
        "TRT_COMPAT_DATABASE_URL", "jdbc:postgresql://db/trt?user=u&password=hunter2hunter2");

    ServiceConfig c = ServiceConfig.load(null, env, Map.of(), work);

    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.apiTokens().clientNames()).containsExactly("carol", "alice", "ci-bot");
    assertThat(c.apiTokens().clientFor("ci-secret-0123456789abc")).hasValue("ci-bot");
    assertThat(c.apiTokens().clientFor("alice-secret-0123456789")).hasValue("alice");
    assertThat(c.apiTokens().clientFor("alice-secret-012345678")).isEmpty();
    assertThat(c.apiTokens().clientFor(null)).isEmpty();
    // Secrets and the database password never show in what may be logged.
    assertThat(c.toString()).contains("carol", "alice", "ci-bot", "jdbc:postgresql://db/trt")
        .doesNotContain("secret", "hunter2");
  }

  @Test
  void aFileSecretIsNeverInTheErrorMessage() throws Exception {
    Path tokens = work.resolve("tokens.txt");
    Files.writeString(tokens, "alice:alice-secret-0123456789\nbob:tiny-secret\n");

    assertThatThrownBy(() -> ServiceConfig.load(null, Map.of("TRT_COMPAT_API_TOKENS_FILE", "tokens.txt"), Map.of(), work))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("line 2 of " + tokens)
        .hasMessageContaining("client 'bob'")
        .message().doesNotContain("tiny-secret");
  }

  @Test
  void docsWebMdListsEverySettingWithItsFlagAndVariable() throws Exception {
    String docs = Files.readString(Path.of(System.getProperty("trtcompat.repo"), "docs", "web.md"));

    for (Setting s : Setting.values()) {
      assertThat(docs).contains("| `" + s.key() + "` | `--" + s.key() + "` | `" + s.envVar() + "` |");
    }
  }

  @Test
  void anUnknownKeyInTheFileIsATypoNotIgnored() throws Exception {
    Path file = work.resolve("c.properties");
    Files.writeString(file, "prot=8080\n");

    assertThatThrownBy(() -> ServiceConfig.load(file, Map.of(), Map.of(), work))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("unknown key 'prot'")
        .hasMessageContaining("known keys: host, port");
  }

  @Test
  void aMissingConfigFileIsAClearError() {
    assertThatThrownBy(() -> ServiceConfig.load(work.resolve("nope.properties"), Map.of(), Map.of(), work))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("cannot read the configuration file");
  }

  @ParameterizedTest
  @CsvSource({"30s,30000", "2m,120000", "500ms,500", "1h,3600000", "PT1M30S,90000"})
  void durations(String text, long millis) {
    assertThat(ServiceConfig.parseDuration(text).toMillis()).isEqualTo(millis);
  }

  @Test
  void everySettingHasAnEnvironmentVariableDerivedFromItsKey() {
    assertThat(Setting.DATA_DIR.envVar()).isEqualTo("TRT_COMPAT_DATA_DIR");
    assertThat(Setting.MAX_UPLOAD.envVar()).isEqualTo("TRT_COMPAT_MAX_UPLOAD");
    assertThat(Setting.GPUS.envVar()).isEqualTo("TRT_COMPAT_GPUS");
    // Docker's own variables keep their names, so an environment set up for the docker command works.
    assertThat(Setting.DOCKER_HOST.envVar()).isEqualTo("DOCKER_HOST");
  }

  /** The container and Docker settings live in the one table too: file, environment and flags all reach the jobs. */
  @Test
  void containerAndDockerSettingsReachTheJobServiceFromAnySource() throws Exception {
    Path file = work.resolve("c.properties");
    Files.writeString(file, "registry=mirror.example/nvidia\ncontainer-env=A=1,B=2\n");
    Map<String, String> env = Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375", "TRT_COMPAT_GPUS", "none");

    ServiceConfig c = ServiceConfig.load(file, env, Map.of(Setting.CONTAINER_OWNER, "team-b"), work);

    var jobs = c.jobSettings();
    assertThat(jobs.conversion().registryPrefix()).isEqualTo("mirror.example/nvidia");
    assertThat(jobs.conversion().containerEnv()).containsEntry("A", "1").containsEntry("B", "2");
    assertThat(jobs.conversion().gpus().all()).isFalse();
    assertThat(jobs.conversion().gpus().deviceIds()).isEmpty();
    assertThat(jobs.runner().ownerId()).isEqualTo("team-b");
    assertThat(jobs.docker().dockerHost()).isEqualTo("tcp://127.0.0.1:2375");

    var defaults = ServiceConfig.load(null, Map.of(), Map.of(), work).jobSettings();
    assertThat(defaults.conversion().registryPrefix()).isEqualTo("nvcr.io/nvidia");
    assertThat(defaults.conversion().gpus().all()).isTrue();
    assertThat(defaults.runner().ownerId()).isEqualTo("trt-compat");
  }
}
