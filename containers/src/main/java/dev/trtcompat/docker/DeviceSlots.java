package dev.trtcompat.docker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Per-device run limits with a first-come-first-served queue. A run needing several devices waits until it
 * can take all of them at once (no partial holding, so no deadlock), and a later run never overtakes an
 * earlier one that waits for a shared device (no starvation).
 */
final class DeviceSlots {

  static final String NO_GPU = "no-gpu";

  private final Map<String, Integer> limits;
  private final Map<String, Integer> inUse = new HashMap<>();
  private final List<Ticket> waiting = new ArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final List<String> allGpus;

  DeviceSlots(RunnerSettings settings) {
    this.allGpus = settings.gpuDeviceIds();
    this.limits = new HashMap<>();
    for (String id : allGpus) {
      limits.put(id, settings.runsPerGpu());
    }
    limits.put(NO_GPU, settings.runsWithoutGpu());
    this.perGpu = settings.runsPerGpu();
  }

  private final int perGpu;

  /** The devices a request counts against. */
  Set<String> devicesOf(GpuRequest request) {
    if (request.isNone()) {
      return Set.of(NO_GPU);
    }
    return request.all() ? new LinkedHashSet<>(allGpus) : new LinkedHashSet<>(request.deviceIds());
  }

  Ticket enqueue(GpuRequest request) {
    Ticket t = new Ticket(devicesOf(request));
    lock.lock();
    try {
      waiting.add(t);
    } finally {
      lock.unlock();
    }
    return t;
  }

  /** One run's place in the queue, then its hold on the devices until {@link #close()}. */
  final class Ticket implements AutoCloseable {
    private final Set<String> devices;
    private boolean holding;
    private boolean closed;

    private Ticket(Set<String> devices) {
      this.devices = devices;
    }

    /**
     * Waits for the devices.
     *
     * @return true when held; false when {@code cancelled} turned true first
     */
    boolean await(BooleanSupplier cancelled) throws InterruptedException {
      lock.lock();
      try {
        while (!canTake()) {
          if (cancelled.getAsBoolean()) {
            waiting.remove(this);
            closed = true;
            changed.signalAll();
            return false;
          }
          changed.await(50, TimeUnit.MILLISECONDS);
        }
        waiting.remove(this);
        for (String d : devices) {
          inUse.merge(d, 1, Integer::sum);
        }
        holding = true;
        changed.signalAll();
        return true;
      } catch (InterruptedException e) {
        waiting.remove(this);
        closed = true;
        changed.signalAll();
        throw e;
      } finally {
        lock.unlock();
      }
    }

    /** 0 once the run holds its devices (or left the queue); else 1 + the earlier runs it waits behind. */
    int position() {
      lock.lock();
      try {
        int index = waiting.indexOf(this);
        if (index < 0) {
          return 0;
        }
        int ahead = 0;
        for (int i = 0; i < index; i++) {
          if (shares(waiting.get(i))) {
            ahead++;
          }
        }
        return ahead + 1;
      } finally {
        lock.unlock();
      }
    }

    private boolean canTake() {
      for (Ticket earlier : waiting) {
        if (earlier == this) {
          break;
        }
        if (shares(earlier)) {
          return false;
        }
      }
      for (String d : devices) {
        if (inUse.getOrDefault(d, 0) >= limits.getOrDefault(d, perGpu)) {
          return false;
        }
      }
      return true;
    }

    private boolean shares(Ticket other) {
      for (String d : devices) {
        if (other.devices.contains(d)) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (closed) {
          return;
        }
        closed = true;
        waiting.remove(this);
        if (holding) {
          for (String d : devices) {
            inUse.merge(d, -1, Integer::sum);
          }
        }
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Runs holding a device now, summed over devices; for tests and metrics. */
  int inUse(String device) {
    lock.lock();
    try {
      return inUse.getOrDefault(device, 0);
    } finally {
      lock.unlock();
    }
  }
}
