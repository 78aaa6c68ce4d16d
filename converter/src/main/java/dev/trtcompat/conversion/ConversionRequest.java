package dev.trtcompat.conversion;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.trtexec.TensorRtRelease;
import dev.trtcompat.trtexec.TrtexecCommand.ShapeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One conversion to run: a model file, a TensorRT release and a precision, with the shapes of its dynamic inputs.
 *
 * @param model the .onnx file on this host; its folder is mounted read-only (external data files sit beside it)
 * @param modelSha256 the model file's SHA-256, recorded with the engine
 * @param release TensorRT release line, MAJOR.MINOR
 * @param precision requested build precision
 * @param shapes input name to min/opt/max shapes, for dynamic inputs (may be empty)
 * @param calibrationCache an INT8 calibration cache on this host, or null
 * @param timeout wall-clock limit of the container run
 * @param accuracy feed the engine the ONNX Runtime reference's inputs and compare its outputs with the reference's
 */
public record ConversionRequest(Path model, String modelSha256, TensorRtRelease release, Precision precision,
    Map<String, ShapeRange> shapes, Path calibrationCache, Duration timeout, boolean accuracy) {

  /** A conversion that runs inference, so the accuracy check is on. */
  public ConversionRequest(Path model, String modelSha256, TensorRtRelease release, Precision precision,
      Map<String, ShapeRange> shapes, Path calibrationCache, Duration timeout) {
    this(model, modelSha256, release, precision, shapes, calibrationCache, timeout, true);
  }

  public ConversionRequest withAccuracy(boolean on) {
    return new ConversionRequest(model, modelSha256, release, precision, shapes, calibrationCache, timeout, on);
  }

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern DIMS = Pattern.compile("[0-9]+(x[0-9]+)*");

  public ConversionRequest {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(timeout, "timeout");
    model = model.toAbsolutePath().normalize();
    shapes = Map.copyOf(shapes == null ? Map.of() : shapes);
    if (modelSha256 == null || !SHA256.matcher(modelSha256).matches()) {
      throw new IllegalArgumentException("model sha256 must be 64 lower-case hex digits");
    }
    if (!Files.isRegularFile(model)) {
      throw new UserFacingException(UserFacingException.Kind.NOT_FOUND, "model_not_found",
          "No model file at " + model + ". Check the path.");
    }
    if (calibrationCache != null && !Files.isRegularFile(calibrationCache)) {
      throw new UserFacingException(UserFacingException.Kind.NOT_FOUND, "calibration_cache_not_found",
          "No calibration cache at " + calibrationCache + ". Check the path.");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_timeout",
          "The timeout must be positive.");
    }
  }

  /** Parses fp32, FP16, int8 or best. */
  public static Precision precision(String text) {
    return Precision.find(text).orElseThrow(() -> new UserFacingException(UserFacingException.Kind.BAD_REQUEST,
        "invalid_precision", "'" + text + "' is not a precision; use fp32, fp16, int8 or best."));
  }

  /**
   * Parses {@code name:1x3x224x224,other:1x8} (one fixed shape) or {@code name:1x3x64x64/1x3x224x224/8x3x512x512}
   * (min/opt/max). Names may not contain ',' or ':' here, as in trtexec.
   */
  public static Map<String, ShapeRange> shapes(String text) {
    Map<String, ShapeRange> out = new LinkedHashMap<>();
    shapeTexts(text).forEach((name, shape) -> out.put(name, shapeRange(shape)));
    return out;
  }

  /**
   * The same list split into input name and shape text ({@code 1x3x224x224} or {@code MIN/OPT/MAX}), each shape
   * checked, for callers that keep the text (a job stores its request as given).
   */
  public static Map<String, String> shapeTexts(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    for (String item : text.split(",")) {
      int colon = item.lastIndexOf(':');
      if (colon <= 0) {
        throw badShape(item);
      }
      String shape = item.substring(colon + 1).strip();
      shapeRange(shape);
      out.put(item.substring(0, colon).strip(), shape);
    }
    return out;
  }

  /** Parses {@code 1x3x224x224} or {@code MIN/OPT/MAX}. */
  public static ShapeRange shapeRange(String text) {
    String[] parts = text.strip().split("/");
    if (parts.length != 1 && parts.length != 3) {
      throw badShape(text);
    }
    List<List<Long>> dims = new ArrayList<>();
    for (String p : parts) {
      if (!DIMS.matcher(p.strip()).matches()) {
        throw badShape(text);
      }
      List<Long> d = new ArrayList<>();
      for (String n : p.strip().split("x")) {
        d.add(Long.parseLong(n));
      }
      dims.add(d);
    }
    return parts.length == 1 ? ShapeRange.fixed(dims.get(0)) : new ShapeRange(dims.get(0), dims.get(1), dims.get(2));
  }

  private static UserFacingException badShape(String text) {
    return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_shapes",
        "'" + text + "' is not a shape; write name:1x3x224x224 or name:MINxDIMS/OPTxDIMS/MAXxDIMS, several separated by ','.");
  }
}
