package dev.trtcompat.quantize;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to quantize and how: the FP32 model, the calibration data, where to write the Q/DQ model, the range method
 * (with its percentile), nodes or operator types to leave in FP32, an optional output holding detection boxes (for
 * IoU agreement), ONNX Runtime threads and the most samples to evaluate accuracy on.
 */
public record QuantizeRequest(
    Path model,
    CalibrationSet data,
    Path out,
    RangeMethod method,
    double percentile,
    List<String> exclude,
    String boxesOutput,
    int threads,
    int maxEvalSamples) {

  public static final int DEFAULT_MAX_EVAL = 50;

  public QuantizeRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(out, "out");
    method = method == null ? RangeMethod.ENTROPY : method;
    exclude = exclude == null ? List.of() : List.copyOf(exclude);
    checkPercentile(percentile);
    if (threads < 1 || threads > 256) {
      throw bad(RequestOption.THREADS, " must be between 1 and 256, got " + threads);
    }
    checkEvalSamples(maxEvalSamples);
  }

  /** The percentile method's percentile, above 0 and at most 100: checked here and where an order is accepted. */
  public static void checkPercentile(double percentile) {
    if (!(percentile > 0 && percentile <= 100)) {
      throw bad(RequestOption.PERCENTILE, " must be above 0 and at most 100, got " + percentile);
    }
  }

  /** The most held-out samples, at least one (FP16's too): checked here and where an order is accepted. */
  public static void checkEvalSamples(int maxEvalSamples) {
    if (maxEvalSamples < 1) {
      throw bad(RequestOption.EVAL_SAMPLES, " must be at least 1, got " + maxEvalSamples);
    }
  }

  /** Entropy (TensorRT's default calibrator), all processors, up to 50 evaluation samples. */
  public static QuantizeRequest of(Path model, CalibrationSet data, Path out) {
    return new QuantizeRequest(
        model, data, out, RangeMethod.ENTROPY, RangeMethod.DEFAULT_PERCENTILE, List.of(), null,
        Math.max(1, Math.min(256, Runtime.getRuntime().availableProcessors())), DEFAULT_MAX_EVAL);
  }

  public QuantizeRequest withMethod(RangeMethod m, double p) {
    return new QuantizeRequest(model, data, out, m, p, exclude, boxesOutput, threads, maxEvalSamples);
  }

  public QuantizeRequest withExclude(List<String> e) {
    return new QuantizeRequest(model, data, out, method, percentile, e, boxesOutput, threads, maxEvalSamples);
  }

  public QuantizeRequest withBoxesOutput(String b) {
    return new QuantizeRequest(model, data, out, method, percentile, exclude, b, threads, maxEvalSamples);
  }

  public QuantizeRequest withThreads(int t) {
    return new QuantizeRequest(model, data, out, method, percentile, exclude, boxesOutput, t, maxEvalSamples);
  }

  public QuantizeRequest withMaxEvalSamples(int n) {
    return new QuantizeRequest(model, data, out, method, percentile, exclude, boxesOutput, threads, n);
  }

  /** The method as recorded: {@code entropy}, {@code minmax}, {@code percentile 99.99}. */
  public String methodLabel() {
    return method == RangeMethod.PERCENTILE ? "percentile " + percentile : method.wireName();
  }

  private static OptionException bad(RequestOption option, String rest) {
    return OptionException.of("invalid_quantize_request", option, rest);
  }
}
