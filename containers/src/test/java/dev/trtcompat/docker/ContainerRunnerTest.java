package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.images.ImageReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real containers of the trtexec test double image: logs, exit codes, mounts, isolation, labels. */
@Tag("docker")
class ContainerRunnerTest extends DockerTestSupport {

  private final ImageReference image = TestDoubleImage.image();

  @Test
  void streamsLogLinesWhileTheContainerRunsAndReportsTheExitCode() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      long before = System.nanoTime();
      RunResult result = runner.run(ContainerRun.builder(image, "sh", "-c",
              "echo first; sleep 2; echo 'second äö' >&2; printf 'no newline at end'; exit 3")
          .timeout(Duration.ofSeconds(30)).build(), logs, Duration.ofSeconds(10));
      long after = System.nanoTime();

      assertThat(result.outcome()).isEqualTo(RunResult.RunOutcome.EXITED);
      assertThat(result.exitCode()).isEqualTo(3);
      assertThat(result.succeeded()).isFalse();
      assertThat(result.oomKilled()).isFalse();
      assertThat(logs.lines).containsExactly(new OutputLine(false, "first"), new OutputLine(true, "second äö"),
          new OutputLine(false, "no newline at end"));
      // The first line must arrive while the container still sleeps, not when it has ended.
      assertThat(TimeUnit.NANOSECONDS.toMillis(after - logs.arrivedNanos.get(0))).isGreaterThan(1500);
      assertThat(TimeUnit.NANOSECONDS.toMillis(logs.arrivedNanos.get(0) - before)).isLessThan(after - before);
      assertThat(result.created()).isNotNull();
      assertThat(result.started()).isAfterOrEqualTo(result.created());
      assertThat(result.finished()).isAfter(result.started());
      assertThat(result.runTime()).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(10));
      assertThatThrownBy(() -> result.requireSuccess("the test command"))
          .isInstanceOf(ContainerRunException.class)
          .hasMessageContaining("exited with code 3")
          .extracting(e -> ((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.INVALID_INPUT);
    }
  }

  @Test
  void trtexecTestDoubleReplaysTheChosenLogAndWritesTheEngine(@TempDir Path models, @TempDir Path out) throws Exception {
    Files.writeString(models.resolve("trt8.4-fp16-verbose-success.onnx"), "not a real model");
    out.toFile().setWritable(true, false);
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "trtexec",
              "--onnx=/models/trt8.4-fp16-verbose-success.onnx", "--saveEngine=/out/model.plan", "--fp16")
          .modelDir(models).outputDir(out).timeout(Duration.ofSeconds(60)).build(), logs, Duration.ofSeconds(10));

      assertThat(result.succeeded()).isTrue();
      assertThat(logs.texts()).hasSize(expectedLines("trt8.4-fp16-verbose-success.log"));
      assertThat(logs.texts().get(logs.texts().size() - 1)).startsWith("&&&& PASSED TensorRT.trtexec [TensorRT v8401]");
      assertThat(Files.readString(out.resolve("model.plan")))
          .isEqualTo("trt-compat test double engine\nreplayed-log: trt8.4-fp16-verbose-success.log\n");
    }
  }

  @Test
  void trtexecTestDoubleExitsOneForAParseFailureLog() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "trtexec", "--onnx=/models/m.onnx")
          .env("TRTEXEC_DOUBLE_LOG", "trt7.0-resize-scales-not-initializer.log").build(), logs, Duration.ofSeconds(10));
      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(logs.texts()).contains("ERROR: builtin_op_importers.cpp:2412 In function importResize:");
    }
  }

  @Test
  void networkIsNone() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "sh", "-c", "ls /sys/class/net; echo routes=$(tail -n +2 /proc/net/route | wc -l)")
          .build(), logs, Duration.ofSeconds(10));
      assertThat(result.exitCode()).isZero();
      assertThat(logs.texts()).containsExactly("lo", "routes=0");
    }
  }

  @Test
  void modelFolderIsReadOnlyAndOutputFolderIsWritable(@TempDir Path models, @TempDir Path out) throws Exception {
    Files.writeString(models.resolve("model.onnx"), "model bytes");
    out.toFile().setWritable(true, false);
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "sh", "-c",
              "cat /models/model.onnx; echo; echo x > /models/model.onnx; echo write=$?; rm /models/model.onnx; echo rm=$?;"
                  + " echo engine > /out/engine.plan; echo out=$?")
          .modelDir(models).outputDir(out).build(), logs, Duration.ofSeconds(10));
      assertThat(result.exitCode()).isZero();
      assertThat(logs.texts()).contains("model bytes", "write=1", "rm=1", "out=0");
      assertThat(String.join("\n", logs.texts())).contains("Read-only file system");
      assertThat(Files.readString(models.resolve("model.onnx"), StandardCharsets.UTF_8)).isEqualTo("model bytes");
      assertThat(Files.readString(out.resolve("engine.plan"))).isEqualTo("engine\n");
    }
  }

  @Test
  void runsAsTheConfiguredNonRootUserWithoutCapabilities() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      runner.run(ContainerRun.builder(image, "sh", "-c", "id -u; id -g; grep CapEff /proc/self/status")
          .user("65534:65534").build(), logs, Duration.ofSeconds(10));
      assertThat(logs.texts()).containsExactly("65534", "65534", "CapEff:\t0000000000000000");
    }
  }

  @Test
  void pidsLimitStopsForkBombs() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "sh", "-c",
              "i=0; while [ $i -lt 40 ]; do sleep 5 & i=$((i+1)); done 2>&1; echo spawned; kill $(jobs -p) 2>/dev/null; exit 0")
          .pidsLimit(10).timeout(Duration.ofSeconds(30)).build(), logs, Duration.ofSeconds(10));
      assertThat(String.join("\n", logs.texts())).containsIgnoringCase("can't fork");
      assertThat(result.outcome()).isEqualTo(RunResult.RunOutcome.EXITED);
    }
  }

  @Test
  void containerCarriesTheTrtCompatLabelsAndIsRemovedAfterwards() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunningContainer handle = runner.start(ContainerRun.builder(image, "sh", "-c", "echo up; sleep 30").build(), logs);
      awaitLines(logs, 1);
      var listed = containersOf(owner);
      assertThat(listed).hasSize(1);
      assertThat(listed.get(0).getLabels()).containsAllEntriesOf(Map.of(
          ContainerLabels.MANAGED, "true", ContainerLabels.OWNER, owner,
          ContainerLabels.INSTANCE, runner.instanceId(), ContainerLabels.RUN, handle.runId()));
      assertThat(listed.get(0).getId()).isEqualTo(handle.containerId());
      assertThat(listed.get(0).getHostConfig().getNetworkMode()).isEqualTo("none");
      handle.cancel();
      assertThat(handle.await(Duration.ofSeconds(20)).cancelled()).isTrue();
      assertThat(containersOf(owner)).isEmpty();
    }
  }

  @Test
  void closingTheRunnerLeavesNoThreadsBehind() throws Exception {
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      runner.run(ContainerRun.builder(image, "echo", "hello").build(), new Lines(), Duration.ofSeconds(10));
      RunningContainer pending = runner.start(ContainerRun.builder(image, "sleep", "60").build(), new Lines());
      RunEndingsTest.awaitPosition(pending, 0);
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    List<String> alive;
    do {
      alive = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
          .filter(n -> n.startsWith("trtcompat-run-") || n.startsWith("docker-java-stream")).toList();
      Thread.sleep(50);
    } while (!alive.isEmpty() && System.nanoTime() < end);
    assertThat(alive).as("threads of the runner and of its log/wait streams").isEmpty();
  }

  static void awaitLines(Lines logs, int count) {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (logs.lines.size() < count) {
      if (System.nanoTime() > end) {
        throw new AssertionError("no " + count + " log line(s) within 20 s; got " + logs.texts());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static int expectedLines(String log) throws Exception {
    Path file = TestDoubleImage.repoRoot().resolve("containers/test-image/logs").resolve(log);
    return (int) Files.readString(file).lines().count();
  }
}
