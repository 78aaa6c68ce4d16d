package dev.trtcompat.onnx;

import java.util.Optional;

/** ONNX tensor element types, with the wire value next to the spec's name and the storage width. */
public enum ElementType {
  UNDEFINED(0, 0),
  FLOAT(1, 32),
  UINT8(2, 8),
  INT8(3, 8),
  UINT16(4, 16),
  INT16(5, 16),
  INT32(6, 32),
  INT64(7, 64),
  /** Variable width: payload size is the sum of the string lengths. */
  STRING(8, 0),
  BOOL(9, 8),
  FLOAT16(10, 16),
  DOUBLE(11, 64),
  UINT32(12, 32),
  UINT64(13, 64),
  COMPLEX64(14, 64),
  COMPLEX128(15, 128),
  BFLOAT16(16, 16),
  FLOAT8E4M3FN(17, 8),
  FLOAT8E4M3FNUZ(18, 8),
  FLOAT8E5M2(19, 8),
  FLOAT8E5M2FNUZ(20, 8),
  UINT4(21, 4),
  INT4(22, 4),
  FLOAT4E2M1(23, 4),
  FLOAT8E8M0(24, 8);

  private static final ElementType[] BY_WIRE = new ElementType[25];

  static {
    for (ElementType t : values()) {
      BY_WIRE[t.wire] = t;
    }
  }

  private final int wire;
  private final int bits;

  ElementType(int wire, int bits) {
    this.wire = wire;
    this.bits = bits;
  }

  /** The value stored in {@code TensorProto.data_type} / {@code TypeProto.Tensor.elem_type}. */
  public int wire() {
    return wire;
  }

  /** Bits per element as stored in raw_data; 0 for STRING and UNDEFINED. */
  public int bits() {
    return bits;
  }

  /** Whole bytes per element; 0 for the 4-bit types, STRING and UNDEFINED, which have no fixed byte width. */
  public int byteSize() {
    return bits % 8 == 0 ? bits / 8 : 0;
  }

  /** Binary floating point of any width (the FLOAT8 and FLOAT4 variants and BFLOAT16 included). */
  public boolean isFloatingPoint() {
    return switch (this) {
      case FLOAT, FLOAT16, DOUBLE, BFLOAT16, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1,
          FLOAT8E8M0 -> true;
      default -> false;
    };
  }

  /**
   * Bytes needed for {@code count} packed elements (4-bit types pack two per byte).
   *
   * @throws ArithmeticException when the size does not fit in a long (a corrupt shape)
   */
  public long bytesFor(long count) {
    return Math.addExact(Math.multiplyExact(count, bits), 7) / 8;
  }

  /** The spec's name of a wire value, e.g. {@code STRING} for 8, or {@code type 99} for a value it lacks. */
  public static String nameOf(int wire) {
    return fromWire(wire).map(Enum::name).orElse("type " + wire);
  }

  public static Optional<ElementType> fromWire(int wire) {
    return wire >= 0 && wire < BY_WIRE.length ? Optional.of(BY_WIRE[wire]) : Optional.empty();
  }
}
