package dev.trtcompat.service;

import dev.trtcompat.conversion.ConversionRequest;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.json.Json;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.trtexec.TensorRtRelease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What a user asks to measure for one model: TensorRT releases x precisions, shapes for dynamic inputs,
 * the container timeout, whether to run cells the static check rules out, and whether to add the ONNX Runtime
 * reference. Stored verbatim as the job's request JSON, so the cell executor reads its options back from it.
 *
 * @param versions TensorRT releases, MAJOR.MINOR, in the order given
 * @param precisions fp32, fp16, int8 (best is accepted too)
 * @param shapes input name to {@code 1x3x224x224} or {@code MIN/OPT/MAX}, for dynamic inputs
 * @param timeoutSeconds the container's wall-clock limit per cell
 * @param force run cells the static check says cannot convert (otherwise they are skipped)
 * @param reference add the ONNX Runtime CPU reference cell
 * @param accuracy compare each engine's outputs with the reference on the same inputs
 */
public record JobSpec(List<String> versions, List<Precision> precisions, Map<String, String> shapes,
    long timeoutSeconds, boolean force, boolean reference, boolean accuracy) {

  public static final int MAX_CELLS = 64;
  public static final long DEFAULT_TIMEOUT_SECONDS = 30 * 60;
  public static final long MAX_TIMEOUT_SECONDS = 6 * 60 * 60;

  public JobSpec {
    // Normalised (8.6.1 and 8.6 are one release line), refusing malformed or unknown releases.
    versions = List.copyOf(new LinkedHashSet<>(versions.stream().map(v -> TensorRtRelease.parse(v).toString()).toList()));
    precisions = List.copyOf(new LinkedHashSet<>(precisions.isEmpty() ? List.of(Precision.FP32) : precisions));
    shapes = Map.copyOf(new LinkedHashMap<>(shapes));
    if (versions.isEmpty() && !reference) {
      throw bad("no_cells", "Select at least one TensorRT release (e.g. \"versions\": [\"8.6\"]) or the reference run.");
    }
    if (versions.size() * precisions.size() > MAX_CELLS) {
      throw bad("too_many_cells", "At most " + MAX_CELLS + " releases x precisions per job; split the request.");
    }
    shapes.forEach((name, text) -> ConversionRequest.shapeRange(text));
    if (timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
      throw bad("invalid_timeout", "'timeoutSeconds' must be a whole number from 1 to " + MAX_TIMEOUT_SECONDS + ".");
    }
  }

  /**
   * The JSON body of {@code POST /api/v1/models/{id}/jobs} as sent: every field optional, nothing else allowed
   * (the web layer reads it with unknown fields refused, so a misspelt field is an error, not a default).
   */
  public record Request(List<String> versions, List<String> precisions, Map<String, String> shapes,
      Long timeoutSeconds, Boolean force, Boolean reference, Boolean accuracy) {

    /** The request with its defaults filled in and checked. */
    public JobSpec toSpec() {
      return new JobSpec(versions == null ? List.of() : versions,
          precisions == null ? List.of() : precisions.stream().map(JobSpec::precision).toList(),
          shapes == null ? Map.of() : shapes, timeoutSeconds == null ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds,
          force != null && force, reference == null || reference, accuracy == null || accuracy);
    }
  }

  /** From the upload form's repeated {@code trt} and {@code precision} fields. */
  public static JobSpec fromForm(List<String> trt, List<String> precision, boolean reference) {
    return fromForm(trt, precision, reference, null, null);
  }

  /**
   * From the forms' fields, with the optional {@code shapes} text ({@code x:1x3x224x224,y:1x8} or
   * {@code x:MIN/OPT/MAX}, as trtexec writes them) and {@code timeout} in seconds.
   */
  public static JobSpec fromForm(List<String> trt, List<String> precision, boolean reference, String shapes,
      String timeout) {
    Map<String, String> parsed = ConversionRequest.shapeTexts(shapes);
    long seconds = DEFAULT_TIMEOUT_SECONDS;
    if (timeout != null && !timeout.isBlank()) {
      try {
        seconds = Long.parseLong(timeout.strip());
      } catch (NumberFormatException e) {
        throw bad("invalid_timeout", "The timeout must be a whole number of seconds from 1 to " + MAX_TIMEOUT_SECONDS + ".");
      }
    }
    return new JobSpec(trt.stream().map(String::trim).filter(v -> !v.isEmpty()).toList(),
        precision.stream().map(String::trim).filter(v -> !v.isEmpty()).map(JobSpec::precision).toList(), parsed,
        seconds, false, reference, true);
  }

  /** The canonical JSON kept with the job (and read back by the cell executor). */
  public String toJson() {
    try {
      return Json.mapper().writeValueAsString(this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads back what {@link #toJson()} wrote. */
  public static JobSpec read(String requestJson) {
    try {
      return Json.mapper().readValue(requestJson, JobSpec.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Precision precision(String text) {
    if (text == null) {
      throw bad("invalid_precision", "A precision is one of fp32, fp16, int8 or best.");
    }
    return Precision.find(text).orElseThrow(
        () -> bad("invalid_precision", "Unknown precision '" + shorten(text) + "'; use fp32, fp16, int8 or best."));
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static UserFacingException bad(String error, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, error, detail);
  }
}
