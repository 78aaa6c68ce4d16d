package dev.trtcompat.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceResult;
import dev.trtcompat.reference.ReferenceRunner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Compares the reference runner's timings with a bare loop over an ONNX Runtime session configured the same
 * way (same intra-op threads, inter-op 1, sequential, same inputs), in the same JVM, alternating which goes
 * first in each round so that JIT warm-up and machine drift fall on both.
 *
 * <p>Usage: {@code ReferenceOverheadBench MODEL RUNS WARMUP THREADS ROUNDS [SHAPES]}; prints one line per
 * round and a summary line {@code overhead_pct=...} comparing median latencies (median over rounds).
 */
public final class ReferenceOverheadBench {

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    int runs = Integer.parseInt(args[1]);
    int warmup = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    InputShapes shapes = InputShapes.parse(args.length > 5 ? args[5] : "");
    ReferenceRequest request =
        ReferenceRequest.of(model).withRuns(runs).withWarmup(warmup).withThreads(threads).withShapes(shapes);

    double[] harnessMedian = new double[rounds];
    double[] plainMedian = new double[rounds];
    double[] harnessThroughput = new double[rounds];
    double[] plainThroughput = new double[rounds];
    String version = "";
    for (int round = 0; round < rounds; round++) {
      boolean harnessFirst = round % 2 == 0;
      ReferenceResult h = null;
      double[] p = null;
      if (harnessFirst) {
        h = new ReferenceRunner().run(request);
      }
      p = plainLoop(model, (h != null ? h : new ReferenceRunner().run(request.withRuns(1).withWarmup(0))).inputTensors(),
          runs, warmup, threads);
      if (!harnessFirst) {
        h = new ReferenceRunner().run(request);
      }
      version = h.onnxruntimeVersion();
      harnessMedian[round] = h.latencyMs().median();
      harnessThroughput[round] = h.throughputPerSec();
      plainMedian[round] = p[0];
      plainThroughput[round] = p[1];
      System.out.printf(Locale.ROOT,
          "round %d (%s first): harness median %.3f ms, %.2f/s | plain loop median %.3f ms, %.2f/s%n",
          round + 1, harnessFirst ? "harness" : "plain", harnessMedian[round], harnessThroughput[round],
          plainMedian[round], plainThroughput[round]);
    }
    double hm = median(harnessMedian);
    double pm = median(plainMedian);
    System.out.printf(Locale.ROOT,
        "model=%s onnxruntime=%s threads=%d runs=%d warmup=%d rounds=%d cpus=%d%n"
            + "harness_median_ms=%.3f plain_median_ms=%.3f harness_throughput=%.2f plain_throughput=%.2f"
            + " overhead_pct=%.2f%n",
        model.getFileName(), version, threads, runs, warmup, rounds, Runtime.getRuntime().availableProcessors(),
        hm, pm, median(harnessThroughput), median(plainThroughput), (hm - pm) / pm * 100);
  }

  /** The baseline: create the session, feed the same tensors, time {@code session.run} alone. */
  static double[] plainLoop(Path model, Map<String, HostTensor> inputs, int runs, int warmup, int threads)
      throws Exception {
    OrtEnvironment env = ReferenceRunner.environment(); // the same singleton; also removes the extracted libraries
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(threads);
      o.setInterOpNumThreads(1);
      o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      try (OrtSession session = env.createSession(model.toString(), o)) {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
          for (HostTensor t : inputs.values()) {
            FloatBuffer fb = ByteBuffer.allocateDirect(t.data().remaining()).order(ByteOrder.nativeOrder()).put(t.data())
                .flip().asFloatBuffer();
            feed.put(t.name(), OnnxTensor.createTensor(env, fb, t.shape()));
          }
          for (int i = 0; i < warmup; i++) {
            try (OrtSession.Result r = session.run(feed)) {
              // warm-up
            }
          }
          long[] lat = new long[runs];
          for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            try (OrtSession.Result r = session.run(feed)) {
              lat[i] = System.nanoTime() - start;
            }
          }
          long[] sorted = lat.clone();
          Arrays.sort(sorted);
          double median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2.0;
          double total = Arrays.stream(lat).sum();
          return new double[] {median / 1e6, runs / (total / 1e9)};
        } finally {
          feed.values().forEach(OnnxTensor::close);
        }
      }
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }
}
