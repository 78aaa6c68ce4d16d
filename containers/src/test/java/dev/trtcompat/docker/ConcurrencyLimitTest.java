package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs beyond the limit queue instead of running at once; the engine's own timestamps prove it. */
@Tag("docker")
class ConcurrencyLimitTest extends DockerTestSupport {

  @Test
  void fourRunsAtLimitTwoNeverExceedTwoAtOnce() {
    try (ContainerRunner runner = new ContainerRunner(engine, settings().withRunsWithoutGpu(2))) {
      List<RunningContainer> handles = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        handles.add(runner.start(ContainerRun.builder(TestDoubleImage.image(), "sleep", "2").build(), new Lines()));
      }
      // While two run, the other two wait at positions 1 and 2 (which two depends on thread scheduling).
      awaitPositions(handles, List.of(0, 0, 1, 2));
      assertThat(runner.slotsInUse().get(DeviceSlots.NO_GPU)).isEqualTo(2);

      List<RunResult> results = handles.stream().map(h -> h.await(Duration.ofSeconds(60))).toList();
      assertThat(results).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
      assertThat(maxOverlap(results)).isEqualTo(2);
      List<Duration> waits = results.stream().map(RunResult::queuedFor).sorted().toList();
      assertThat(waits.get(1)).as("two runs start at once").isLessThan(Duration.ofMillis(1500));
      assertThat(waits.get(2)).as("two runs wait for a slot").isGreaterThan(Duration.ofMillis(1500));
      assertThat(runner.slotsInUse().get(DeviceSlots.NO_GPU)).isZero();
    }
  }

  private static void awaitPositions(List<RunningContainer> handles, List<Integer> expected) {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<Integer> seen = List.of();
    while (System.nanoTime() < end) {
      seen = handles.stream().map(RunningContainer::queuePosition).sorted().toList();
      if (seen.equals(expected)) {
        return;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("queue positions " + seen + ", expected " + expected);
  }

  /** The largest number of runs whose [started, finished] intervals overlap at one instant. */
  static int maxOverlap(List<RunResult> results) {
    int max = 0;
    for (RunResult r : results) {
      Instant t = r.started();
      int running = 0;
      for (RunResult o : results) {
        if (!o.started().isAfter(t) && o.finished().isAfter(t)) {
          running++;
        }
      }
      max = Math.max(max, running);
    }
    return max;
  }
}
