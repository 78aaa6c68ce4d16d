package dev.trtcompat.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.api.model.WaitResponse;
import dev.trtcompat.errors.UserFacingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ContainerRun}s on one Docker engine: queues them per GPU, creates labelled containers with the
 * run's limits, streams their logs line by line, enforces the time limit and always removes the container.
 * Owns its worker threads; {@link #close()} cancels what still runs and shuts them down.
 */
public final class ContainerRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerRunner.class);

  private final DockerEngine engine;
  private final RunnerSettings settings;
  private final String instanceId = UUID.randomUUID().toString();
  private final DeviceSlots slots;
  private final ImageStore images;
  private final ExecutorService workers;
  private final Set<RunningContainer> inFlight = ConcurrentHashMap.newKeySet();

  /** Opens a runner; with {@link RunnerSettings#reapOnStart()} it first removes this owner's leftovers. */
  public ContainerRunner(DockerEngine engine, RunnerSettings settings) {
    this.engine = engine;
    this.settings = settings;
    this.slots = new DeviceSlots(settings);
    this.images = new ImageStore(engine);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory named = r -> {
      Thread t = new Thread(r, "trtcompat-run-" + n.incrementAndGet());
      t.setDaemon(false);
      return t;
    };
    this.workers = Executors.newCachedThreadPool(named);
    if (settings.reapOnStart()) {
      List<String> removed = new LeftoverReaper(engine, settings.ownerId(), instanceId).reap();
      if (!removed.isEmpty()) {
        LOG.info("removed {} leftover container(s) of owner {}", removed.size(), settings.ownerId());
      }
    }
  }

  /** This process's instance id, as found in the {@link ContainerLabels#INSTANCE} label. */
  public String instanceId() {
    return instanceId;
  }

  public RunnerSettings settings() {
    return settings;
  }

  /** Submits a run; it queues for its GPUs, then runs. Lines reach {@code logs} as the container writes them. */
  public RunningContainer start(ContainerRun run, Consumer<OutputLine> logs) {
    return start(run, logs, p -> LOG.debug("pull {} {} {} {}/{}", p.image(), p.layer(), p.status(),
        p.currentBytes(), p.totalBytes()));
  }

  /**
   * As {@link #start(ContainerRun, Consumer)}, and when the image must be pulled first (pulls allowed), its
   * progress reaches {@code pullProgress} as the engine reports it.
   */
  public RunningContainer start(ContainerRun run, Consumer<OutputLine> logs, Consumer<PullProgress> pullProgress) {
    RunningContainer handle = new RunningContainer(newRunId());
    inFlight.add(handle);
    try {
      handle.attach(workers.submit(() -> {
        try {
          return execute(run, logs, pullProgress, handle);
        } catch (RuntimeException e) {
          throw explain(e);
        } finally {
          inFlight.remove(handle);
        }
      }));
    } catch (RuntimeException e) {
      inFlight.remove(handle);
      throw e;
    }
    return handle;
  }

  /**
   * Runs and waits: for a pull (up to the pull timeout, when pulls are allowed), for a GPU slot (up to
   * {@code maxQueueWait}), then for the run's own time limit. Gives up (cancelling the run) after that.
   */
  public RunResult run(ContainerRun run, Consumer<OutputLine> logs, Duration maxQueueWait) {
    RunningContainer handle = start(run, logs);
    Duration pull = settings.pullAllowed() ? settings.pullTimeout() : Duration.ZERO;
    try {
      return handle.await(pull.plus(maxQueueWait).plus(run.timeout()).plus(settings.stopGrace()).plusSeconds(30));
    } finally {
      if (!handle.isDone()) {
        handle.cancel();
      }
    }
  }

  /** An engine error mid-run is most often the engine going away; say so when a ping confirms it. */
  private RuntimeException explain(RuntimeException e) {
    if (e instanceof UserFacingException) {
      return e;
    }
    try {
      engine.ping();
    } catch (DockerUnavailableException down) {
      down.addSuppressed(e);
      return down;
    }
    return e;
  }

  private static String newRunId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  private RunResult execute(ContainerRun run, Consumer<OutputLine> logs, Consumer<PullProgress> pullProgress,
      RunningContainer handle) throws Exception {
    images.ensurePresent(run.image(), settings.pullAllowed(), settings.pullTimeout(), pullProgress);
    Instant queuedAt = Instant.now();
    try (DeviceSlots.Ticket ticket = slots.enqueue(run.gpus())) {
      handle.ticket.set(ticket);
      if (!ticket.await(handle.cancelSignal::isDone)) {
        return new RunResult(handle.runId(), RunResult.RunOutcome.CANCELLED, -1, false,
            Duration.between(queuedAt, Instant.now()), null, null, null, run.timeout(), run.memoryLimitBytes());
      }
      Duration queued = Duration.between(queuedAt, Instant.now());
      return runContainer(run, logs, handle, queued);
    }
  }

  private RunResult runContainer(ContainerRun run, Consumer<OutputLine> logs, RunningContainer handle, Duration queued)
      throws Exception {
    DockerClient docker = engine.client();
    String id = create(run, handle.runId());
    handle.containerId.set(id);
    OutputLines lines = null;
    ResultCallback.Adapter<WaitResponse> waiter = null;
    try {
      try {
        docker.startContainerCmd(id).exec();
      } catch (RuntimeException e) {
        if (NvidiaRuntimeMissingException.matches(e)) {
          throw new NvidiaRuntimeMissingException(e);
        }
        throw e;
      }
      Instant deadline = Instant.now().plus(run.timeout());
      CompletableFuture<Integer> exit = new CompletableFuture<>();
      waiter = docker.waitContainerCmd(id).exec(new ResultCallback.Adapter<>() {
        @Override
        public void onNext(WaitResponse response) {
          exit.complete(response.getStatusCode());
        }

        @Override
        public void onError(Throwable t) {
          exit.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
          exit.completeExceptionally(new IllegalStateException("wait ended without a status"));
        }
      });
      lines = docker.logContainerCmd(id).withFollowStream(true).withStdOut(true).withStdErr(true)
          .exec(new OutputLines(logs));

      RunResult.RunOutcome outcome = awaitExit(exit, handle.cancelSignal, deadline);
      if (outcome != RunResult.RunOutcome.EXITED) {
        stop(id);
        try {
          exit.get(settings.stopGrace().plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
          LOG.warn("container {} did not report its exit after being stopped", id, e);
        }
      }
      if (!lines.awaitCompletion(settings.logDrainTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("log stream of container {} still open {} after exit", id, settings.logDrainTimeout());
      }
      catchUpLogs(id, lines);
      InspectContainerResponse info = docker.inspectContainerCmd(id).exec();
      InspectContainerResponse.ContainerState state = info.getState();
      return new RunResult(handle.runId(), outcome,
          state.getExitCodeLong() == null ? -1 : state.getExitCodeLong().intValue(),
          Boolean.TRUE.equals(state.getOOMKilled()), queued, instant(info.getCreated()),
          instant(state.getStartedAt()), instant(state.getFinishedAt()), run.timeout(), run.memoryLimitBytes());
    } finally {
      closeQuietly(lines);
      closeQuietly(waiter);
      if (lines != null) {
        lines.finish();
      }
      remove(id);
    }
  }

  /** Reads the stored log once more for output the followed stream missed, then delivers the last partial line. */
  private void catchUpLogs(String id, OutputLines lines) {
    try (var rest = engine.client().logContainerCmd(id).withStdOut(true).withStdErr(true).exec(lines.catchUp())) {
      rest.awaitCompletion(settings.logDrainTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.debug("could not re-read the log of container {}", id, e);
    }
    lines.finish();
  }

  private static RunResult.RunOutcome awaitExit(CompletableFuture<Integer> exit, CompletableFuture<Void> cancel,
      Instant deadline) throws Exception {
    long remaining = Duration.between(Instant.now(), deadline).toMillis();
    try {
      CompletableFuture.anyOf(exit, cancel).get(Math.max(remaining, 0), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return RunResult.RunOutcome.TIMED_OUT;
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
    return exit.isDone() ? RunResult.RunOutcome.EXITED : RunResult.RunOutcome.CANCELLED;
  }

  private String create(ContainerRun run, String runId) {
    List<Bind> binds = new ArrayList<>();
    run.model().ifPresent(dir -> binds.add(new Bind(dir.toString(), new Volume(ContainerRun.MODEL_MOUNT), AccessMode.ro)));
    run.output().ifPresent(dir -> binds.add(new Bind(dir.toString(), new Volume(ContainerRun.OUTPUT_MOUNT), AccessMode.rw)));
    HostConfig host = HostConfig.newHostConfig()
        .withNetworkMode("none")
        .withMemory(run.memoryLimitBytes())
        // Swap equal to memory: the limit is a hard wall, so an oversized build is OOM-killed, not swapped.
        .withMemorySwap(run.memoryLimitBytes())
        .withPidsLimit(run.pidsLimit())
        .withCapDrop(Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges"))
        .withBinds(binds)
        .withAutoRemove(false);
    if (!run.gpus().isNone()) {
      DeviceRequest gpus = new DeviceRequest().withCapabilities(List.of(List.of("gpu")));
      host.withDeviceRequests(List.of(run.gpus().all() ? gpus.withCount(-1) : gpus.withDeviceIds(run.gpus().deviceIds())));
    }
    List<String> env = run.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    CreateContainerCmd cmd = engine.client().createContainerCmd(run.image().toString())
        .withName("trtcompat-" + runId)
        .withCmd(run.command())
        .withEnv(env)
        .withLabels(ContainerLabels.of(settings.ownerId(), instanceId, runId, run.labels()))
        .withNetworkDisabled(true)
        .withHostConfig(host);
    if (run.user() != null) {
      cmd.withUser(run.user());
    }
    try {
      return cmd.exec().getId();
    } catch (NotFoundException e) {
      // Removed between the presence check and create (another process pruned it).
      throw ImageUnavailableException.notPresentAndPullDisabled(run.image());
    }
  }

  private void stop(String id) {
    try {
      engine.client().stopContainerCmd(id).withTimeout((int) Math.max(0, settings.stopGrace().toSeconds())).exec();
    } catch (NotModifiedException | NotFoundException e) {
      // Already stopped or gone: what stop wanted.
    }
  }

  private void remove(String id) {
    try {
      engine.client().removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // Already gone.
    } catch (RuntimeException e) {
      LOG.error("could not remove container {}; the next start-up reaps it", id, e);
    }
  }

  private static Instant instant(String text) {
    if (text == null || text.isBlank() || text.startsWith("0001-01-01")) {
      return null;
    }
    return Instant.parse(text);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.debug("closing a stream failed", e);
    }
  }

  /** Runs submitted and not yet ended. */
  public int inFlight() {
    return inFlight.size();
  }

  /**
   * Cancels every run still queued or running, waits up to {@code stopGrace + 30 s} for them to clean up, and
   * stops the worker threads. The engine stays open (its owner closes it).
   */
  @Override
  public void close() {
    for (RunningContainer r : List.copyOf(inFlight)) {
      r.cancel();
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(settings.stopGrace().plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  Map<String, Integer> slotsInUse() {
    Map<String, Integer> m = new HashMap<>();
    for (String d : settings.gpuDeviceIds()) {
      m.put(d, slots.inUse(d));
    }
    m.put(DeviceSlots.NO_GPU, slots.inUse(DeviceSlots.NO_GPU));
    return m;
  }
}
