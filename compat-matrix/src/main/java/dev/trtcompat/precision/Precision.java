package dev.trtcompat.precision;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The precision a TensorRT engine is built for: the one vocabulary shared by the knowledge base, the trtexec
 * command line, jobs, accuracy tolerances and the matrix. {@link #BEST} lets TensorRT choose per layer among the
 * others ({@code trtexec --best}).
 */
public enum Precision {
  FP32,
  FP16,
  INT8,
  BEST;

  /** The precisions a matrix has a column for, in column order. */
  public static final List<Precision> COLUMNS = List.of(FP32, FP16, INT8);

  /** The name used on the wire, in forms, JSON, CSV and the command line: {@code fp32}, {@code fp16} ... */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Reads a wire name in any letter case; empty when it names no precision. */
  public static Optional<Precision> find(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String wanted = text.trim().toUpperCase(Locale.ROOT);
    return Arrays.stream(values()).filter(p -> p.name().equals(wanted)).findFirst();
  }

  /**
   * Reads a wire name in any letter case.
   *
   * @throws IllegalArgumentException naming the accepted values when it names no precision
   */
  public static Precision parse(String text) {
    return find(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown precision '" + text + "'; expected one of fp32, fp16, int8, best"));
  }
}
