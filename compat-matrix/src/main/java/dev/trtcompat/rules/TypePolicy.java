package dev.trtcompat.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a release treats tensors of one ONNX element type anywhere in the model. */
public enum TypePolicy {
  /** Imported as is. */
  SUPPORTED,
  /** Accepted but narrowed (DOUBLE to FLOAT, INT64 to INT32 before 10.0); values may be clamped. */
  CAST_DOWN,
  /** Only as a network input or output (UINT8 from 9.0). */
  IO_ONLY,
  /** Only as the low-precision side of QuantizeLinear/DequantizeLinear (INT8, FP8, INT4). */
  QUANTIZED_ONLY,
  UNSUPPORTED;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  static TypePolicy parse(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
