package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code trt-compat serve} as a real process: starts, answers, stops cleanly on SIGTERM. */
class ServeCommandTest {

  private static final Pattern LISTENING = Pattern.compile("serving on http://127\\.0\\.0\\.1:(\\d+)/");

  @Test
  void servesUntilSigtermThenStopsCleanly(@TempDir Path dir) throws Exception {
    Process p = java(dir, dir.resolve("serve.log"), "serve", "--port", "0", "--data-dir", dir.resolve("data").toString(), "--max-upload", "1MiB");
    // The log goes to a file: Process.destroy() closes the pipes, which would lose the last lines.
    Path logFile = dir.resolve("serve.log");
    try {
      int port = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (port < 0 && System.nanoTime() < deadline) {
        Matcher m = LISTENING.matcher(Files.exists(logFile) ? Files.readString(logFile) : "");
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
        Thread.sleep(50);
      }
      assertThat(port).as(Files.readString(logFile)).isPositive();
      assertThat(Files.readString(logFile)).contains("uploads up to 1 MiB");

      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(Files.isDirectory(dir.resolve("data/models"))).isTrue();

      p.destroy(); // SIGTERM
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(Files.readString(logFile)).contains("stopping: finishing requests in flight").contains("stopped");
      assertThat(p.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aBadSettingExitsWithCode2AndOneLine(@TempDir Path dir) throws Exception {
    Process p = java(dir, null, "serve", "--port", "99999", "--data-dir", dir.resolve("data").toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(out.strip()).isEqualTo("error: port = '99999' (from flag --port) must be a number from 0 to 65535");
  }

  @Test
  void anAddressOtherMachinesReachIsRefusedWithoutApiTokens(@TempDir Path dir) throws Exception {
    Process p = java(dir, null, "serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", dir.resolve("data").toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(out.strip()).isEqualTo("error: host = '0.0.0.0' is reachable from other machines, but no API tokens are "
        + "configured; set api-tokens-file (or TRT_COMPAT_API_TOKENS_FILE, --api-tokens-file) or listen on 127.0.0.1");
  }

  @Test
  void everySettingHasAFlag() {
    picocli.CommandLine.Model.CommandSpec spec = new picocli.CommandLine(new ServeCommand()).getCommandSpec();

    for (dev.trtcompat.app.Setting s : dev.trtcompat.app.Setting.values()) {
      assertThat(spec.findOption("--" + s.key())).as(s.key()).isNotNull();
    }
  }

  private static Process java(Path dir, Path log, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        TrtCompatCommand.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    if (log != null) {
      pb.redirectOutput(log.toFile());
    }
    pb.environment().keySet().removeIf(k -> k.startsWith("TRT_COMPAT_"));
    return pb.start();
  }
}
