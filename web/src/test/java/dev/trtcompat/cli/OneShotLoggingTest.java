package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.ConversionTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-shot command in its own process, as {@code ./trt-compat} starts it: logging is set up once per process,
 * so only a fresh JVM shows what a user sees. The image cannot be pulled (the name exists nowhere), which makes
 * docker-java log its callback failure at ERROR; without {@code --verbose} that must not reach the terminal.
 */
@Tag("docker")
@Tag("process")
class OneShotLoggingTest {

  private final String owner = "test-log-" + UUID.randomUUID().toString().substring(0, 8);
  private final String absentImage = "trt-compat-test-double/tensorrt:absent-" + owner;
  @TempDir Path dir;

  record Run(int exit, String stdout, String stderr) {}

  private Run convert(String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), TrtCompatCommand.class.getName(),
        "convert", ConversionTestSupport.ABS_MODEL.toString(), "--trt", "8.6", "--image", absentImage, "--no-gpu",
        "--data-dir", dir.resolve("data").toString(), "--owner", owner, "--timeout", "60s"));
    cmd.addAll(List.of(extra));
    Path out = dir.resolve("stdout-" + UUID.randomUUID());
    Path err = dir.resolve("stderr-" + UUID.randomUUID());
    Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("convert ran over 120 s");
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @AfterEach
  void noContainerLeft() throws Exception {
    assertThat(ConversionTestSupport.containersOf(owner)).isEmpty();
  }

  @Test
  void anImageThatCannotBePulledIsOneErrorLineAndNoLibraryLog() throws Exception {
    Run r = convert();

    assertThat(r.exit()).as(r.stderr()).isEqualTo(3);
    assertThat(r.stdout()).isEmpty();
    List<String> lines = r.stderr().lines().toList();
    assertThat(lines).as(r.stderr()).hasSize(2);
    assertThat(lines.get(0)).startsWith("trt-compat: converting ");
    assertThat(lines.get(1)).startsWith("error: Image " + absentImage + " is not on the Docker engine");
    assertThat(r.stderr()).doesNotContain("\tat ", "ERROR", "ResultCallbackTemplate", "Exception");
  }

  @Test
  void verboseShowsTheLibraryLogToo() throws Exception {
    Run r = convert("--verbose");

    assertThat(r.exit()).as(r.stderr()).isEqualTo(3);
    assertThat(r.stderr()).contains("ERROR ResultCallbackTemplate").contains("\nerror: Image " + absentImage);
  }
}
