package dev.trtcompat.reference;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a reference run: what ran (ONNX Runtime version, threads, runs), how fast, and a summary of
 * every output; the output tensors themselves travel alongside for the accuracy comparison but are not part
 * of the JSON document (they go to {@code .npy} files under {@code referenceDir}).
 */
@JsonPropertyOrder({
  "onnxruntimeVersion", "threads", "runs", "latencyMs", "throughputPerSec", "outputs",
  "warmupRuns", "seed", "inputs", "notes", "referenceDir"
})
public record ReferenceResult(
    String onnxruntimeVersion,
    int threads,
    int runs,
    LatencyMs latencyMs,
    double throughputPerSec,
    List<OutputSummary> outputs,
    int warmupRuns,
    long seed,
    List<InputSummary> inputs,
    List<String> notes,
    String referenceDir,
    @JsonIgnore Map<String, HostTensor> inputTensors,
    @JsonIgnore Map<String, HostTensor> outputTensors) {

  public ReferenceResult {
    outputs = List.copyOf(outputs);
    inputs = List.copyOf(inputs);
    notes = List.copyOf(notes);
    // Graph order matters (ONNX test data and trtexec pair tensors by position), so no Map.copyOf here.
    inputTensors = Collections.unmodifiableMap(new LinkedHashMap<>(inputTensors));
    outputTensors = Collections.unmodifiableMap(new LinkedHashMap<>(outputTensors));
  }

  /** Latency of one {@code session.run} in milliseconds over the timed runs. */
  @JsonPropertyOrder({"min", "median", "p90", "p99", "max"})
  public record LatencyMs(double min, double median, double p90, double p99, double max) {

    /**
     * Median is the mean of the two middle values for an even count; p90/p99 use the nearest-rank
     * definition (the smallest sample with at least p% of samples at or below it), so they are always an
     * observed latency.
     */
    public static LatencyMs ofNanos(long[] nanos) {
      if (nanos.length == 0) {
        throw new IllegalArgumentException("no samples");
      }
      long[] s = nanos.clone();
      java.util.Arrays.sort(s);
      int n = s.length;
      double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
      return new LatencyMs(ms(s[0]), median / 1e6, ms(nearestRank(s, 90)), ms(nearestRank(s, 99)), ms(s[n - 1]));
    }

    static long nearestRank(long[] sorted, int percent) {
      int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
      return nanos / 1e6;
    }
  }

  /** One output of the reference: ONNX element type name, shape and value statistics. */
  @JsonPropertyOrder({"name", "elemType", "shape", "min", "max", "mean", "nanCount", "file"})
  public record OutputSummary(
      String name, String elemType, long[] shape, double min, double max, double mean, long nanCount, String file) {}

  /** One input as fed: where it came from and which dimensions were filled in by default. */
  @JsonPropertyOrder({"name", "elemType", "shape", "source", "defaultedDims", "file"})
  public record InputSummary(
      String name, String elemType, long[] shape, String source, List<String> defaultedDims, String file) {}
}
