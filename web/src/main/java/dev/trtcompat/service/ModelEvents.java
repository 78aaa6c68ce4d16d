package dev.trtcompat.service;

import dev.trtcompat.jobs.CellEvent;
import dev.trtcompat.jobs.CellListener;
import dev.trtcompat.jobs.JobQueue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live feed behind the model page: cell state changes and log lines, per model. This instance's changes
 * arrive at once through the queue's listener; other instances' (shared PostgreSQL queue) through a poll of
 * the event table every {@value #POLL_MS} ms. Each event is delivered once, whichever path saw it first.
 */
public final class ModelEvents implements CellListener, AutoCloseable {

  /** Receives one model's events; must not block (the web layer queues them per browser). */
  public interface Subscriber {
    void cell(CellEvent event);

    void log(long jobId, long cellId, String line);
  }

  static final long POLL_MS = 1000;
  private static final Logger LOG = LoggerFactory.getLogger(ModelEvents.class);
  private static final int SEEN_CAPACITY = 10_000;

  private final JobQueue queue;
  private final Map<String, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();
  private final Map<Long, String> modelOfJob = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> versions = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> seen = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > SEEN_CAPACITY;
    }
  };
  private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "trt-compat-events");
    t.setDaemon(true);
    return t;
  });
  private volatile long polledUpTo;

  ModelEvents(JobQueue queue) {
    this.queue = queue;
  }

  void start() {
    polledUpTo = queue.lastEventId();
    queue.addListener(this);
    poller.scheduleWithFixedDelay(this::poll, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
  }

  /** Starts delivering the model's events to {@code s}; returns what stops it. */
  public Runnable subscribe(String modelId, Subscriber s) {
    subscribers.computeIfAbsent(modelId, k -> new CopyOnWriteArraySet<>()).add(s);
    return () -> subscribers.computeIfPresent(modelId, (k, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }

  /** Browsers connected, over all models. */
  public int subscriberCount() {
    return subscribers.values().stream().mapToInt(Set::size).sum();
  }

  @Override
  public void stateChanged(CellEvent event) {
    deliver(event);
  }

  @Override
  public void logLine(long jobId, long cellId, String line) {
    String model = model(jobId);
    Set<Subscriber> set = model == null ? null : subscribers.get(model);
    if (set != null) {
      for (Subscriber s : set) {
        s.log(jobId, cellId, line);
      }
    }
  }

  private void deliver(CellEvent event) {
    synchronized (seen) {
      if (seen.put(event.id(), Boolean.TRUE) != null) {
        return;
      }
    }
    String model = model(event.jobId());
    if (model != null) {
      versions.computeIfAbsent(model, k -> new AtomicLong()).incrementAndGet();
    }
    Set<Subscriber> set = model == null ? null : subscribers.get(model);
    if (set != null) {
      for (Subscriber s : set) {
        s.cell(event);
      }
    }
  }

  /**
   * A number that changes whenever one of the model's cells changes state (seen here or, within a poll, on
   * another instance): what rendered views of the model are cached against.
   */
  public long version(String modelId) {
    AtomicLong v = versions.get(modelId);
    return v == null ? 0 : v.get();
  }

  private void poll() {
    try {
      while (true) {
        List<CellEvent> batch = queue.eventsAfter(polledUpTo, 500);
        for (CellEvent e : batch) {
          deliver(e);
          polledUpTo = Math.max(polledUpTo, e.id());
        }
        if (batch.size() < 500) {
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot read the event feed: {}", e.toString());
    }
  }

  private String model(long jobId) {
    String m = modelOfJob.get(jobId);
    if (m == null) {
      m = queue.job(jobId).map(j -> j.modelSha256()).orElse(null);
      if (m != null) {
        modelOfJob.put(jobId, m);
      }
    }
    return m;
  }

  @Override
  public void close() {
    queue.removeListener(this);
    poller.shutdownNow();
  }
}
