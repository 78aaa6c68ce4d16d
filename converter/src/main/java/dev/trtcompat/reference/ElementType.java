package dev.trtcompat.reference;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The ONNX tensor element types the reference can hold in memory and files (a subset of
 * {@link dev.trtcompat.onnx.ElementType}, which names every ONNX type; see {@link #onnx()}), with the ONNX wire value, byte width and NumPy type
 * string next to the name, so every file format (NPY, trtexec raw input, TensorProto) reads from one table.
 *
 * <p>Wire values are those of {@code TensorProto.DataType} in the ONNX IR specification
 * (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto). NumPy type strings follow
 * https://numpy.org/doc/stable/reference/arrays.dtypes.html (all little-endian, {@code |} where byte order
 * does not apply).
 */
public enum ElementType {
  FLOAT(1, 4, "<f4"),
  UINT8(2, 1, "|u1"),
  INT8(3, 1, "|i1"),
  UINT16(4, 2, "<u2"),
  INT16(5, 2, "<i2"),
  INT32(6, 4, "<i4"),
  INT64(7, 8, "<i8"),
  BOOL(9, 1, "|b1"),
  FLOAT16(10, 2, "<f2"),
  DOUBLE(11, 8, "<f8"),
  UINT32(12, 4, "<u4"),
  UINT64(13, 8, "<u8");

  private final int onnxValue;
  private final int byteSize;
  private final String npyDescr;

  ElementType(int onnxValue, int byteSize, String npyDescr) {
    this.onnxValue = onnxValue;
    this.byteSize = byteSize;
    this.npyDescr = npyDescr;
  }

  /** The same type in the model reader's full list of ONNX element types. */
  public dev.trtcompat.onnx.ElementType onnx() {
    return dev.trtcompat.onnx.ElementType.fromWire(onnxValue).orElseThrow();
  }

  /** The {@code TensorProto.DataType} number. */
  public int onnxValue() {
    return onnxValue;
  }

  public int byteSize() {
    return byteSize;
  }

  /** The NumPy {@code descr} string written into NPY headers. */
  public String npyDescr() {
    return npyDescr;
  }

  public boolean isFloatingPoint() {
    return this == FLOAT || this == FLOAT16 || this == DOUBLE;
  }

  public static Optional<ElementType> fromOnnxValue(int value) {
    return Arrays.stream(values()).filter(t -> t.onnxValue == value).findFirst();
  }

  /** Accepts any byte-order prefix ({@code <f4}, {@code >f4}, {@code =f4}, {@code f4}); readers swap big-endian data. */
  public static Optional<ElementType> fromNpyDescr(String descr) {
    String d = descr.trim().toLowerCase(Locale.ROOT);
    if (d.startsWith("=") || d.startsWith("|")) {
      d = "<" + d.substring(1);
    } else if (!d.startsWith("<") && !d.startsWith(">")) {
      d = "<" + d;
    }
    String normalized = d;
    return Arrays.stream(values())
        .filter(t -> t.npyDescr.substring(1).equals(normalized.substring(1)))
        .findFirst();
  }

  /** Name of the ONNX data type whose wire value is given, e.g. {@code STRING} for 8; for messages. */
  public static String onnxName(int value) {
    String[] names = {
      "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16",
      "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
      "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1", "FLOAT8E8M0"
    };
    return value >= 0 && value < names.length ? names[value] : "type " + value;
  }
}
