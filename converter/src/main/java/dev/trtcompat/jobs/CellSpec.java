package dev.trtcompat.jobs;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.precision.Precision;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which cell of the matrix: a kind, a TensorRT release {@code MAJOR.MINOR} and a precision (both null for
 * the ONNX Runtime reference, a quantization, an FP16 conversion and a fix).
 */
public record CellSpec(CellKind kind, String trtRelease, Precision precision) {

  private static final Pattern RELEASE = Pattern.compile("\\d{1,3}\\.\\d{1,3}");

  public CellSpec {
    Objects.requireNonNull(kind, "kind");
    if (kind == CellKind.TRT_CONVERSION) {
      if (trtRelease == null || !RELEASE.matcher(trtRelease).matches() || precision == null) {
        throw new UserFacingException(
            UserFacingException.Kind.BAD_REQUEST,
            "bad_cell",
            "A TensorRT cell needs a release as MAJOR.MINOR (e.g. 10.3) and a precision (FP32, FP16, INT8, BEST); got "
                + trtRelease + " / " + precision + ".");
      }
    } else if (trtRelease != null || precision != null) {
      throw new UserFacingException(
          UserFacingException.Kind.BAD_REQUEST,
          "bad_cell",
          "The " + switch (kind) {
            case QUANTIZE -> "quantization";
            case FP16 -> "FP16 conversion";
            case FIX -> "fix";
            default -> "ONNX Runtime reference";
          } + " cell takes no TensorRT release or precision.");
    }
  }

  public static CellSpec conversion(String trtRelease, Precision precision) {
    return new CellSpec(CellKind.TRT_CONVERSION, trtRelease, precision);
  }

  public static CellSpec reference() {
    return new CellSpec(CellKind.ORT_REFERENCE, null, null);
  }

  /** INT8 post-training quantization of the job's model into a Q/DQ model of its own. */
  public static CellSpec quantize() {
    return new CellSpec(CellKind.QUANTIZE, null, null);
  }

  /** A fix of the job's model for target releases, proven on ONNX Runtime; the fixed model is a model of its own. */
  public static CellSpec fix() {
    return new CellSpec(CellKind.FIX, null, null);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case ORT_REFERENCE -> "ONNX Runtime reference";
      case QUANTIZE -> "INT8 quantization";
      case FP16 -> "FP16 conversion";
      case FIX -> "fix";
      case TRT_CONVERSION -> "TensorRT " + trtRelease + " " + precision;
    };
  }
}
