package dev.trtcompat.fp16;

import dev.trtcompat.quantize.CalibrationSet;
import dev.trtcompat.quantize.QuantizeRequest;
import dev.trtcompat.quantize.SyntheticCalibrationSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * An FP16 conversion: the FP32 model, data to take statistics from (and to evaluate on, held out), where to write,
 * nodes or operator types the user keeps in FP32, an optional output holding detection boxes (for IoU agreement, as
 * {@link QuantizeRequest#boxesOutput()}), ONNX Runtime threads and the most evaluation samples. Random data is
 * flagged with {@link Fp16Converter#TIMING_ONLY}, not INT8's words: FP16 computes no scales.
 */
public record Fp16Request(Path model, CalibrationSet data, Path out, List<String> keepFp32, String boxesOutput,
    int threads, int maxEvalSamples) {

  public Fp16Request {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(out, "out");
    if (data instanceof SyntheticCalibrationSet random) {
      data = random.withCaveat(Fp16Converter.TIMING_ONLY);
    }
    keepFp32 = keepFp32 == null ? List.of() : List.copyOf(keepFp32);
    QuantizeRequest.checkEvalSamples(maxEvalSamples);
  }

  public static Fp16Request of(Path model, CalibrationSet data, Path out) {
    return new Fp16Request(
        model, data, out, List.of(), null, Math.max(1, Runtime.getRuntime().availableProcessors()),
        QuantizeRequest.DEFAULT_MAX_EVAL);
  }

  public Fp16Request withKeepFp32(List<String> keep) {
    return new Fp16Request(model, data, out, keep, boxesOutput, threads, maxEvalSamples);
  }

  /** Reports IoU agreement for the boxes in output {@code b} (null: none). */
  public Fp16Request withBoxesOutput(String b) {
    return new Fp16Request(model, data, out, keepFp32, b, threads, maxEvalSamples);
  }

  public Fp16Request withThreads(int t) {
    return new Fp16Request(model, data, out, keepFp32, boxesOutput, t, maxEvalSamples);
  }

  public Fp16Request withMaxEvalSamples(int n) {
    return new Fp16Request(model, data, out, keepFp32, boxesOutput, threads, n);
  }
}
