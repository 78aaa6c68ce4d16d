package dev.trtcompat.http.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.fp16.Fp16Request;
import dev.trtcompat.json.Json;
import dev.trtcompat.quantize.CalibrationFiles;
import dev.trtcompat.quantize.CalibrationSet;
import dev.trtcompat.quantize.ImagePreprocessing;
import dev.trtcompat.quantize.QuantizeRequest;
import dev.trtcompat.quantize.RangeMethod;
import dev.trtcompat.quantize.SensitivityAnalysis;
import dev.trtcompat.quantize.SyntheticCalibrationSet;
import dev.trtcompat.reference.InputShapes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One quantization or FP16 conversion as asked for through the form or the API, stored verbatim as its job's
 * request JSON so that the cell (and a retry after a restart) runs exactly this: where the uploaded calibration files
 * are, or how many random samples, the range method (INT8 only), the nodes kept in FP32, the box output and how
 * images become tensors.
 *
 * @param upload the folder under the source model's {@code derived/quantize/} (or {@code derived/fp16/}) holding
 *     this order's files
 * @param synthetic random samples instead of files (flagged "timing only"), else null
 * @param method the INT8 range method; null for FP16
 * @param percentile for the percentile method; null for FP16
 * @param exclude node names or operator types kept in FP32
 * @param images how uploaded images become tensors (text as sent); null for arrays or random data
 * @param sensitivity a per-layer sensitivity analysis to run instead of a plain quantization; null for none
 */
record QuantizeOrder(String upload, Integer synthetic, long seed, String shapes, String method, Double percentile,
    List<String> exclude, String boxes, Images images, int evalSamples, Sensitivity sensitivity) {

  /** The text fields a quantize request may carry besides its {@code calib} files. */
  static final List<String> FIELDS = List.of("synthetic", "seed", "shapes", "method", "percentile", "exclude",
      "boxes", "size", "layout", "mean", "std", "scale", "evalSamples", "sensitivity", "targetError", "budget");
  /** The text fields of an FP16 request: the same less the INT8 range method and the sensitivity analysis. */
  static final List<String> FP16_FIELDS = FIELDS.stream()
      .filter(f -> !List.of("method", "percentile", "sensitivity", "targetError", "budget").contains(f)).toList();
  static final String CALIB_FIELD = "calib";

  /** The longest sensitivity budget the service accepts: the analysis holds a job cell (and its CPUs) that long. */
  static final Duration MAX_BUDGET = Duration.ofHours(1);

  /**
   * A sensitivity analysis as asked for: how layers are ranked, the highest acceptable error, the time budget.
   *
   * @param mode {@code one-at-a-time} or {@code leave-one-out}
   */
  record Sensitivity(String mode, double targetError, long budgetMillis) {

    SensitivityAnalysis.Options options() {
      return new SensitivityAnalysis.Options(
          SensitivityAnalysis.Mode.parse(mode), targetError, Duration.ofMillis(budgetMillis));
    }

    /** The fields {@code sensitivity} (none, one-at-a-time, leave-one-out), {@code targetError}, {@code budget}. */
    static Sensitivity of(Map<String, List<String>> fields) {
      String mode = last(fields, "sensitivity", "none");
      if (mode.equalsIgnoreCase("none")) {
        return null;
      }
      double target;
      try {
        target = Double.parseDouble(
            last(fields, "targetError", Double.toString(SensitivityAnalysis.DEFAULT_TARGET_ERROR)));
      } catch (NumberFormatException e) {
        throw bad("invalid_sensitivity_request", "targetError '" + last(fields, "targetError", "")
            + "' is not a number such as 0.01 (1 - cosine similarity)");
      }
      Duration budget = SensitivityAnalysis.Options.parseBudget(
          last(fields, "budget", SensitivityAnalysis.DEFAULT_BUDGET.toSeconds() + "s"));
      if (budget.compareTo(MAX_BUDGET) > 0) {
        throw bad("invalid_sensitivity_request", "budget must be at most " + MAX_BUDGET.toMinutes()
            + " minutes in the service, got " + budget.toSeconds() + " s");
      }
      Sensitivity s = new Sensitivity(SensitivityAnalysis.Mode.parse(mode).wireName(), target, budget.toMillis());
      s.options(); // checks the target and the budget now, so a bad request is a 400 before any job
      return s;
    }
  }

  /** The image preprocessing fields as sent (defaults filled in): checked by {@link ImagePreprocessing}. */
  record Images(String size, String layout, String mean, String std, String scale) {

    ImagePreprocessing preprocessing() {
      return ImagePreprocessing.parse(size, layout, mean, std, scale);
    }
  }

  QuantizeOrder {
    exclude = List.copyOf(exclude);
  }

  /**
   * Reads the form's text fields (the last value of each; {@code exclude} may repeat or list names with commas).
   *
   * @param files how many calibration files came with them
   * @param conversion INT8 reads the range method and the sensitivity options too
   */
  static QuantizeOrder of(String upload, Map<String, List<String>> fields, int files, Conversion conversion) {
    Integer synthetic = integer(fields, "synthetic", null);
    if ((synthetic == null) == (files == 0)) {
      throw bad("calibration_required", files == 0
          ? "send calibration data: .npy/.npz files or JPEG/PNG images in the field 'calib', or 'synthetic' N for"
              + " random data (" + conversion.randomCaveat + ")"
          : "send either 'calib' files or 'synthetic', not both");
    }
    boolean int8 = conversion == Conversion.INT8;
    String method = int8 ? last(fields, "method", "entropy") : null;
    Double percentile = null;
    if (int8) {
      RangeMethod.parse(method);
      try {
        percentile = Double.parseDouble(last(fields, "percentile", Double.toString(RangeMethod.DEFAULT_PERCENTILE)));
      } catch (NumberFormatException e) {
        throw bad("invalid_quantize_request", "percentile '" + last(fields, "percentile", "") + "' is not a number");
      }
      QuantizeRequest.checkPercentile(percentile);
    }
    List<String> exclude = new ArrayList<>();
    for (String v : fields.getOrDefault("exclude", List.of())) {
      for (String part : v.split(",")) {
        if (!part.isBlank()) {
          exclude.add(part.strip());
        }
      }
    }
    String boxes = last(fields, "boxes", "");
    Images images = new Images(last(fields, "size", ""), last(fields, "layout", "NCHW"), last(fields, "mean", "0,0,0"),
        last(fields, "std", "1,1,1"), last(fields, "scale", "1/255"));
    images.preprocessing();
    int evalSamples = integer(fields, "evalSamples", QuantizeRequest.DEFAULT_MAX_EVAL);
    QuantizeRequest.checkEvalSamples(evalSamples);
    return new QuantizeOrder(upload, synthetic, integer(fields, "seed", 42), last(fields, "shapes", ""), method,
        percentile, exclude, boxes.isBlank() ? null : boxes, images, evalSamples, int8 ? Sensitivity.of(fields) : null);
  }

  /** The calibration data: the files in {@code dir} (arrays, or images with their preprocessing), or random samples. */
  CalibrationSet open(Path dir) {
    if (synthetic != null) {
      return new SyntheticCalibrationSet(synthetic, seed, InputShapes.parse(shapes.isBlank() ? null : shapes));
    }
    return new UploadedCalibration(CalibrationFiles.open(dir, images.preprocessing()));
  }

  /** The quantizer's request: this order's method and options, the model and where to write the Q/DQ model. */
  QuantizeRequest request(Path model, CalibrationSet data, Path out, int threads) {
    return QuantizeRequest.of(model, data, out)
        .withMethod(RangeMethod.parse(method), percentile)
        .withExclude(exclude)
        .withBoxesOutput(boxes)
        .withThreads(threads)
        .withMaxEvalSamples(evalSamples);
  }

  /** The FP16 converter's request: the kept nodes, the box output, the model and where to write the FP16 model. */
  Fp16Request fp16Request(Path model, CalibrationSet data, Path out, int threads) {
    return Fp16Request.of(model, data, out)
        .withKeepFp32(exclude)
        .withBoxesOutput(boxes)
        .withThreads(threads)
        .withMaxEvalSamples(evalSamples);
  }

  String toJson() {
    try {
      return Json.mapper().writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static QuantizeOrder read(String json) {
    try {
      return Json.mapper().readValue(json, QuantizeOrder.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String last(Map<String, List<String>> fields, String name, String fallback) {
    List<String> v = fields.getOrDefault(name, List.of());
    return v.isEmpty() || v.get(v.size() - 1).isBlank() ? fallback : v.get(v.size() - 1).strip();
  }

  private static Integer integer(Map<String, List<String>> fields, String name, Integer fallback) {
    String v = last(fields, name, null);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw bad("invalid_quantize_request", "'" + name + "' must be a whole number, got '"
          + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'");
    }
  }

  static UserFacingException bad(String error, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, error, detail);
  }
}
