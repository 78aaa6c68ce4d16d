package dev.trtcompat.docker;

import dev.trtcompat.images.ImageReference;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test (run by bench/container-overhead.sh): the runner's cost per run against a bare
 * {@code docker run --rm --network none} of the same image and command, and 8 queued runs at limit 2.
 */
public final class ContainerOverheadBench {

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    ImageReference image = TestDoubleImage.image();
    String owner = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    System.out.printf("image %s, %d runs each, %d CPU cores%n", image, runs, Runtime.getRuntime().availableProcessors());

    try (DockerEngine engine = DockerEngine.connect(DockerSettings.fromEnvironment(System.getenv()));
        ContainerRunner runner = new ContainerRunner(engine, RunnerSettings.defaults(owner).withPull(false, Duration.ofMinutes(1))
            .withRunsWithoutGpu(2))) {
      for (int i = 0; i < 2; i++) { // warm-up: page cache, JIT
        bare(image, "true");
        runner.run(ContainerRun.builder(image, "true").build(), l -> {}, Duration.ofMinutes(1));
      }
      List<Double> bare = new ArrayList<>();
      List<Double> ours = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        bare.add(bare(image, "true"));
        long t0 = System.nanoTime();
        RunResult r = runner.run(ContainerRun.builder(image, "true").build(), l -> {}, Duration.ofMinutes(1));
        ours.add((System.nanoTime() - t0) / 1e9);
        if (!r.succeeded()) {
          throw new IllegalStateException("run failed: " + r);
        }
      }
      double bareMedian = median(bare);
      double oursMedian = median(ours);
      System.out.printf("bare 'docker run --rm --network none %s true': median %.3f s (min %.3f, max %.3f)%n",
          image, bareMedian, Collections.min(bare), Collections.max(bare));
      System.out.printf("ContainerRunner.run(true):                median %.3f s (min %.3f, max %.3f)%n",
          oursMedian, Collections.min(ours), Collections.max(ours));
      System.out.printf("runner overhead per run (median difference): %.3f s (target < 0.5 s)%n", oursMedian - bareMedian);

      long t1 = System.nanoTime();
      runner.run(ContainerRun.builder(image, "sleep", "1").build(), l -> {}, Duration.ofMinutes(1));
      double one = (System.nanoTime() - t1) / 1e9;
      long t2 = System.nanoTime();
      List<RunningContainer> queued = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        queued.add(runner.start(ContainerRun.builder(image, "sleep", "1").build(), l -> {}));
      }
      int maxPosition = 0;
      while (queued.stream().anyMatch(h -> !h.isDone())) {
        maxPosition = Math.max(maxPosition, queued.stream().mapToInt(RunningContainer::queuePosition).max().orElse(0));
        Thread.sleep(10);
      }
      List<RunResult> results = queued.stream().map(h -> h.await(Duration.ofMinutes(1))).toList();
      double total = (System.nanoTime() - t2) / 1e9;
      int overlap = ConcurrencyLimitTest.maxOverlap(results);
      int left = engine.client().listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of(ContainerLabels.OWNER, owner)).exec().size();
      System.out.printf("one 'sleep 1' run: %.3f s; 8 runs at limit 2: %.3f s total = %.2f x one run (ideal 4);"
          + " most at once (engine timestamps): %d; deepest queue position seen: %d; containers left: %d%n",
          one, total, total / one, overlap, maxPosition, left);
    }
  }

  private static double bare(ImageReference image, String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("docker", "run", "--rm", "--network", "none", image.toString()));
    cmd.addAll(List.of(command));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("bare docker run failed");
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
