package dev.trtcompat.http;

import dev.trtcompat.jobs.CellEvent;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.service.ModelEvents;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/models/{id}/events}: the server-sent event streams of the model pages. Each browser's events
 * queue per connection and two sender threads write them out, so one slow browser never holds up the event feed;
 * a slow one drops log lines past {@link #MAX_PENDING_LINES} (never state events). A comment every 15 s keeps idle
 * connections open through proxies and finds closed ones.
 */
final class JobEventStream implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobEventStream.class);
  /** Log lines a slow browser may have pending before further lines are dropped (state events never are). */
  static final int MAX_PENDING_LINES = 2000;

  private final ModelEvents events;
  private final ModelStore store;
  private final ExecutorService senders = Executors.newFixedThreadPool(2, r -> daemon(r, "trt-compat-sse"));
  private final ScheduledExecutorService pings =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "trt-compat-sse-ping"));
  private final List<Stream> streams = new CopyOnWriteArrayList<>();

  JobEventStream(ModelEvents events, ModelStore store) {
    this.events = events;
    this.store = store;
    pings.scheduleWithFixedDelay(() -> streams.forEach(s -> s.offer(new Out(null, null, true))), 15, 15,
        TimeUnit.SECONDS);
  }

  /** {@code GET /api/v1/models/{id}/events}: server-sent events for the model's jobs (see docs/web.md). */
  SseHandler handler() {
    return new SseHandler(client -> {
      String id = client.ctx().pathParam("id");
      try {
        store.find(id).orElseThrow(() -> ModelApi.notFound(id));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Stream s = new Stream(client);
      streams.add(s);
      Runnable unsubscribe = events.subscribe(id, s);
      client.onClose(() -> {
        unsubscribe.run();
        streams.remove(s);
      });
      client.sendComment("trt-compat events for model " + id);
      client.keepAlive();
    });
  }

  /** One event to write: a named event with JSON data, or a keep-alive comment. */
  private record Out(String event, String data, boolean ping) {}

  /** One browser's connection: events queue here and one sender thread at a time writes them out. */
  private final class Stream implements ModelEvents.Subscriber {
    private final SseClient client;
    private final ArrayDeque<Out> pending = new ArrayDeque<>();
    private int pendingLines;
    private boolean scheduled;

    Stream(SseClient client) {
      this.client = client;
    }

    @Override
    public void cell(CellEvent e) {
      offer(new Out("cell", json(JobViews.of(e)), false));
    }

    @Override
    public void log(long jobId, long cellId, String line) {
      offer(new Out("log", json(new JobViews.LogLineEvent(jobId, cellId, line)), false));
    }

    void offer(Out out) {
      synchronized (this) {
        if ("log".equals(out.event())) {
          if (pendingLines >= MAX_PENDING_LINES) {
            return; // the full log stays readable at /api/v1/cells/{id}/log
          }
          pendingLines++;
        }
        pending.add(out);
        if (scheduled) {
          return;
        }
        scheduled = true;
      }
      try {
        senders.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // shutting down
      }
    }

    private void drain() {
      while (true) {
        Out out;
        synchronized (this) {
          out = pending.poll();
          if (out == null) {
            scheduled = false;
            return;
          }
          if ("log".equals(out.event())) {
            pendingLines--;
          }
        }
        if (client.terminated()) {
          continue;
        }
        try {
          if (out.ping()) {
            client.sendComment("ping");
          } else {
            client.sendEvent(out.event(), out.data());
          }
        } catch (RuntimeException e) {
          LOG.debug("event stream closed: {}", e.toString());
        }
      }
    }
  }

  private static String json(Object o) {
    try {
      return Json.mapper().writeValueAsString(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** Ends every open stream (they never finish by themselves) and stops the sender threads. */
  @Override
  public void close() {
    pings.shutdownNow();
    for (Stream s : streams) {
      try {
        s.client.close();
      } catch (RuntimeException e) {
        // already closed
      }
    }
    senders.shutdownNow();
  }
}
