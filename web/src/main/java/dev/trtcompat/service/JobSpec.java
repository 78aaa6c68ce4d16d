package dev.trtcompat.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.trtcompat.conversion.ConversionRequest;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.json.Json;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.trtexec.TensorRtRelease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

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
 * @param referenceRuns timed ONNX Runtime runs of the reference cell; null for the default
 * @param referenceWarmup untimed runs before them; null for the default
 */
public record JobSpec(List<String> versions, List<Precision> precisions, Map<String, String> shapes,
    long timeoutSeconds, boolean force, boolean reference, boolean accuracy,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer referenceRuns,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer referenceWarmup) {

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
    if (referenceRuns != null && (referenceRuns < 1 || referenceRuns > ReferenceRequest.MAX_RUNS)) {
      throw bad("invalid_reference_request", "runs must be between 1 and " + ReferenceRequest.MAX_RUNS + ", got "
          + referenceRuns);
    }
    if (referenceWarmup != null && (referenceWarmup < 0 || referenceWarmup > ReferenceRequest.MAX_RUNS)) {
      throw bad("invalid_reference_request", "warmup must be between 0 and " + ReferenceRequest.MAX_RUNS + ", got "
          + referenceWarmup);
    }
  }

  /** A job without reference options: the form and the jobs API. */
  public JobSpec(List<String> versions, List<Precision> precisions, Map<String, String> shapes, long timeoutSeconds,
      boolean force, boolean reference, boolean accuracy) {
    this(versions, precisions, shapes, timeoutSeconds, force, reference, accuracy, null, null);
  }

  /**
   * A job with only the ONNX Runtime reference cell, as {@code POST /api/v1/models/{id}/reference} asks: fixed
   * shapes per dynamic input, and the number of timed and warm-up runs (null for the defaults).
   */
  public static JobSpec referenceOnly(Map<String, long[]> shapes, Integer runs, Integer warmup) {
    Map<String, String> texts = new LinkedHashMap<>();
    shapes.forEach((name, dims) -> texts.put(name,
        Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining("x"))));
    return new JobSpec(List.of(), List.of(), texts, DEFAULT_TIMEOUT_SECONDS, false, true, false, runs, warmup);
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
