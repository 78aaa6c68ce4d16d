package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.images.ImageReference;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs that do not end by themselves: time limit, cancellation (running and queued), out of memory. */
@Tag("docker")
class RunEndingsTest extends DockerTestSupport {

  private final ImageReference image = TestDoubleImage.image();

  @Test
  void timeLimitStopsAContainerThatIgnoresSigterm() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      long start = System.nanoTime();
      RunResult result = runner.run(ContainerRun.builder(image, "trtexec", "--onnx=/models/m.onnx")
          .env("TRTEXEC_DOUBLE_SLEEP", "120").env("TRTEXEC_DOUBLE_IGNORE_TERM", "1")
          .timeout(Duration.ofSeconds(2)).build(), logs, Duration.ofSeconds(10));
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(result.outcome()).isEqualTo(RunResult.RunOutcome.TIMED_OUT);
      assertThat(result.timedOut()).isTrue();
      // SIGTERM was ignored, so only SIGKILL after the 1 s grace ended it.
      assertThat(result.exitCode()).isEqualTo(137);
      assertThat(took).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(15));
      assertThat(logs.texts()).isNotEmpty();
      assertThatThrownBy(() -> result.requireSuccess("trtexec"))
          .isInstanceOf(ContainerRunException.class).hasMessageContaining("did not finish within 2 s")
          .extracting(e -> ((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.TIMEOUT);
    }
  }

  @Test
  void timeLimitStopsAContainerThatHonoursSigtermWithItsOwnCode() {
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "trtexec", "--onnx=/models/m.onnx")
          .env("TRTEXEC_DOUBLE_SLEEP", "120").timeout(Duration.ofSeconds(1)).build(), new Lines(), Duration.ofSeconds(10));
      assertThat(result.outcome()).isEqualTo(RunResult.RunOutcome.TIMED_OUT);
      assertThat(result.exitCode()).isEqualTo(143);
    }
  }

  @Test
  void cancelStopsARunningContainer() {
    Lines logs = new Lines();
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunningContainer handle = runner.start(ContainerRun.builder(image, "sh", "-c", "trap 'exit 143' TERM; echo up; sleep 60 & wait")
          .timeout(Duration.ofMinutes(5)).build(), logs);
      ContainerRunnerTest.awaitLines(logs, 1);
      long start = System.nanoTime();
      handle.cancel();
      RunResult result = handle.await(Duration.ofSeconds(20));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
      assertThat(result.cancelled()).isTrue();
      assertThat(result.started()).isNotNull();
      assertThatThrownBy(() -> result.requireSuccess("sleep"))
          .extracting(e -> ((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.CONFLICT);
    }
  }

  @Test
  void cancelRemovesAQueuedRunBeforeItGetsAContainer() {
    try (ContainerRunner runner = new ContainerRunner(engine, settings().withRunsWithoutGpu(1))) {
      Lines firstLogs = new Lines();
      RunningContainer first = runner.start(ContainerRun.builder(image, "sh", "-c", "echo up; sleep 60").build(), firstLogs);
      ContainerRunnerTest.awaitLines(firstLogs, 1);
      RunningContainer second = runner.start(ContainerRun.builder(image, "echo", "never").build(), new Lines());
      awaitPosition(second, 1);
      assertThat(first.queuePosition()).isZero();

      second.cancel();
      RunResult secondResult = second.await(Duration.ofSeconds(10));
      assertThat(secondResult.cancelled()).isTrue();
      assertThat(secondResult.created()).isNull();
      assertThat(second.containerId()).isEmpty();

      first.cancel();
      assertThat(first.await(Duration.ofSeconds(20)).cancelled()).isTrue();
    }
  }

  @Test
  void memoryLimitKillsAMemoryHogAndSaysSo() {
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      RunResult result = runner.run(ContainerRun.builder(image, "trtexec", "--onnx=/models/m.onnx")
          .env("TRTEXEC_DOUBLE_HOG_MB", "256").memoryLimitMiB(32).timeout(Duration.ofSeconds(60)).build(),
          new Lines(), Duration.ofSeconds(10));
      assertThat(result.oomKilled()).isTrue();
      assertThat(result.exitCode()).isEqualTo(137);
      assertThat(result.succeeded()).isFalse();
      assertThatThrownBy(() -> result.requireSuccess("trtexec"))
          .isInstanceOf(ContainerRunException.class).hasMessageContaining("ran out of memory (limit 32 MiB)")
          .extracting(e -> ((UserFacingException) e).kind()).isEqualTo(UserFacingException.Kind.TOO_LARGE);
    }
  }

  @Test
  void closingTheRunnerCancelsWhatStillRuns() {
    Lines logs = new Lines();
    RunningContainer handle;
    try (ContainerRunner runner = new ContainerRunner(engine, settings())) {
      handle = runner.start(ContainerRun.builder(image, "sh", "-c", "echo up; sleep 120").build(), logs);
      ContainerRunnerTest.awaitLines(logs, 1);
    }
    assertThat(handle.isDone()).isTrue();
    assertThat(handle.await(Duration.ofSeconds(1)).cancelled()).isTrue();
  }

  static void awaitPosition(RunningContainer handle, int position) {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (handle.queuePosition() != position) {
      if (System.nanoTime() > end) {
        throw new AssertionError("queue position stayed " + handle.queuePosition() + ", expected " + position);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
