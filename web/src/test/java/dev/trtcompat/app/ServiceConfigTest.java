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
      "TRT_COMPAT_HOST|'  '|host = '' (from environment variable TRT_COMPAT_HOST) must not be empty"})
  void badValuesAreRefusedNamingWhereTheyCameFrom(String variable, String value, String message) {
    assertThatThrownBy(() -> ServiceConfig.load(null, Map.of(variable, value), Map.of(), work))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((UserFacingException) e).kind().exitCode()).isEqualTo(2));
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
  }
}
