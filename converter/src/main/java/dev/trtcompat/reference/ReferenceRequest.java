package dev.trtcompat.reference;

import dev.trtcompat.errors.UserFacingException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What to run on the ONNX Runtime CPU reference: the model, fixed input shapes, how often, on how many
 * threads, the random seed for generated inputs, inputs given explicitly (by input name) and where to keep
 * the outputs ({@code outDir} null: keep them in memory only).
 */
public record ReferenceRequest(
    Path model,
    InputShapes shapes,
    int runs,
    int warmup,
    int threads,
    long seed,
    Map<String, HostTensor> givenInputs,
    Path outDir) {

  public static final int DEFAULT_RUNS = 10;
  public static final int DEFAULT_WARMUP = 2;
  public static final long DEFAULT_SEED = 42L;
  /** Upper bounds so that one request cannot hold a worker for hours. */
  public static final int MAX_RUNS = 100_000;
  public static final int MAX_THREADS = 256;

  public ReferenceRequest {
    Objects.requireNonNull(model, "model");
    shapes = shapes == null ? InputShapes.NONE : shapes;
    givenInputs = Collections.unmodifiableMap(new LinkedHashMap<>(givenInputs == null ? Map.of() : givenInputs));
    if (runs < 1 || runs > MAX_RUNS) {
      throw bad("runs must be between 1 and " + MAX_RUNS + ", got " + runs);
    }
    if (warmup < 0 || warmup > MAX_RUNS) {
      throw bad("warmup must be between 0 and " + MAX_RUNS + ", got " + warmup);
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw bad("threads must be between 1 and " + MAX_THREADS + ", got " + threads);
    }
  }

  /** Defaults: 10 timed runs after 2 warm-up runs, one intra-op thread per available processor, seed 42. */
  public static ReferenceRequest of(Path model) {
    return new ReferenceRequest(
        model, InputShapes.NONE, DEFAULT_RUNS, DEFAULT_WARMUP, defaultThreads(), DEFAULT_SEED, Map.of(), null);
  }

  public static int defaultThreads() {
    return Math.max(1, Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
  }

  public ReferenceRequest withShapes(InputShapes s) {
    return new ReferenceRequest(model, s, runs, warmup, threads, seed, givenInputs, outDir);
  }

  public ReferenceRequest withRuns(int r) {
    return new ReferenceRequest(model, shapes, r, warmup, threads, seed, givenInputs, outDir);
  }

  public ReferenceRequest withWarmup(int w) {
    return new ReferenceRequest(model, shapes, runs, w, threads, seed, givenInputs, outDir);
  }

  public ReferenceRequest withThreads(int t) {
    return new ReferenceRequest(model, shapes, runs, warmup, t, seed, givenInputs, outDir);
  }

  public ReferenceRequest withSeed(long s) {
    return new ReferenceRequest(model, shapes, runs, warmup, threads, s, givenInputs, outDir);
  }

  public ReferenceRequest withGivenInputs(Map<String, HostTensor> inputs) {
    return new ReferenceRequest(model, shapes, runs, warmup, threads, seed, inputs, outDir);
  }

  public ReferenceRequest withOutDir(Path dir) {
    return new ReferenceRequest(model, shapes, runs, warmup, threads, seed, givenInputs, dir);
  }

  private static UserFacingException bad(String why) {
    return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_reference_request", why);
  }
}
