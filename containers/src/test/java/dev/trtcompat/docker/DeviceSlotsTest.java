package dev.trtcompat.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeviceSlotsTest {

  private final RunnerSettings settings = RunnerSettings.defaults("unit").withGpuDeviceIds(List.of("0", "1"))
      .withRunsPerGpu(1).withRunsWithoutGpu(2);

  @Test
  void runsOnDifferentGpusDoNotWaitForEachOther() throws Exception {
    DeviceSlots slots = new DeviceSlots(settings);
    try (var a = slots.enqueue(GpuRequest.devices("0")); var b = slots.enqueue(GpuRequest.devices("1"))) {
      assertThat(a.await(() -> false)).isTrue();
      assertThat(b.await(() -> false)).isTrue();
      assertThat(slots.inUse("0")).isEqualTo(1);
      assertThat(slots.inUse("1")).isEqualTo(1);
    }
    assertThat(slots.inUse("0")).isZero();
  }

  @Test
  void aSecondRunOnABusyGpuQueuesAndReportsItsPosition() throws Exception {
    DeviceSlots slots = new DeviceSlots(settings);
    var first = slots.enqueue(GpuRequest.devices("0"));
    assertThat(first.await(() -> false)).isTrue();
    var second = slots.enqueue(GpuRequest.devices("0"));
    var third = slots.enqueue(GpuRequest.devices("0"));
    var otherGpu = slots.enqueue(GpuRequest.devices("1"));
    assertThat(first.position()).isZero();
    assertThat(second.position()).isEqualTo(1);
    assertThat(third.position()).isEqualTo(2);
    assertThat(otherGpu.position()).as("waits behind no run that shares its GPU").isEqualTo(1);

    CompletableFuture<Boolean> secondGot = CompletableFuture.supplyAsync(() -> awaitQuietly(second));
    Thread.sleep(200);
    assertThat(secondGot).isNotDone();
    first.close();
    assertThat(secondGot.get(5, TimeUnit.SECONDS)).isTrue();
    assertThat(third.position()).isEqualTo(1);
    second.close();
    third.close();
    otherGpu.close();
  }

  @Test
  void anAllGpusRunNeedsEveryGpuAndLaterRunsDoNotOvertakeIt() throws Exception {
    DeviceSlots slots = new DeviceSlots(settings);
    var onZero = slots.enqueue(GpuRequest.devices("0"));
    assertThat(onZero.await(() -> false)).isTrue();
    var all = slots.enqueue(GpuRequest.allGpus());
    var laterOnOne = slots.enqueue(GpuRequest.devices("1"));
    assertThat(all.position()).isEqualTo(1);
    // GPU 1 is free, but the earlier all-GPU run waits for it: no overtaking.
    assertThat(laterOnOne.position()).isEqualTo(2);
    CompletableFuture<Boolean> later = CompletableFuture.supplyAsync(() -> awaitQuietly(laterOnOne));
    Thread.sleep(200);
    assertThat(later).isNotDone();
    onZero.close();
    assertThat(awaitQuietly(all)).isTrue();
    assertThat(slots.inUse("0")).isEqualTo(1);
    assertThat(slots.inUse("1")).isEqualTo(1);
    all.close();
    assertThat(later.get(5, TimeUnit.SECONDS)).isTrue();
    laterOnOne.close();
  }

  @Test
  void gpuLessRunsHaveTheirOwnLimit() throws Exception {
    DeviceSlots slots = new DeviceSlots(settings);
    var a = slots.enqueue(GpuRequest.none());
    var b = slots.enqueue(GpuRequest.none());
    var c = slots.enqueue(GpuRequest.none());
    assertThat(a.await(() -> false)).isTrue();
    assertThat(b.await(() -> false)).isTrue();
    assertThat(c.position()).isEqualTo(1);
    assertThat(slots.inUse(DeviceSlots.NO_GPU)).isEqualTo(2);
    a.close();
    b.close();
    c.close();
  }

  @Test
  void cancellingAQueuedRunLeavesTheQueue() throws Exception {
    DeviceSlots slots = new DeviceSlots(settings);
    var holder = slots.enqueue(GpuRequest.devices("0"));
    assertThat(holder.await(() -> false)).isTrue();
    var waiting = slots.enqueue(GpuRequest.devices("0"));
    var behind = slots.enqueue(GpuRequest.devices("0"));
    long start = System.nanoTime();
    assertThat(waiting.await(() -> Duration.ofNanos(System.nanoTime() - start).toMillis() > 150)).isFalse();
    assertThat(waiting.position()).isZero();
    assertThat(behind.position()).isEqualTo(1);
    holder.close();
    assertThat(behind.await(() -> false)).isTrue();
    behind.close();
    waiting.close();
    assertThat(slots.inUse("0")).isZero();
  }

  private static boolean awaitQuietly(DeviceSlots.Ticket t) {
    try {
      return t.await(() -> false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
