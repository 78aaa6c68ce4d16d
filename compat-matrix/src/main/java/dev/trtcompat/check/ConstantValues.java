package dev.trtcompat.check;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Decodes the small constants the rules look at: integer values (shapes, axes, K) and all-zero checks. */
final class ConstantValues {

  /** Constants larger than this are not decoded into values; rules only need shapes, axes and scalars. */
  static final int MAX_VALUES = 4096;

  private ConstantValues() {}

  /** Integer values of little-endian raw bytes, or null when the type is not an integer type or too big. */
  static long[] integers(ElementType type, byte[] raw) {
    if (raw == null || type == null) {
      return null;
    }
    int width = switch (type) {
      case INT64, UINT64 -> 8;
      case INT32, UINT32 -> 4;
      case INT16, UINT16 -> 2;
      case INT8, UINT8, BOOL -> 1;
      default -> 0;
    };
    if (width == 0 || raw.length % width != 0 || raw.length / width > MAX_VALUES) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    long[] out = new long[raw.length / width];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (width) {
        case 8 -> b.getLong();
        case 4 -> type == ElementType.UINT32 ? Integer.toUnsignedLong(b.getInt()) : b.getInt();
        case 2 -> type == ElementType.UINT16 ? Short.toUnsignedInt(b.getShort()) : b.getShort();
        default -> type == ElementType.INT8 ? b.get() : Byte.toUnsignedInt(b.get());
      };
    }
    return out;
  }

  /** True when every byte is zero (zero in every numeric type), null when the bytes are not known. */
  static Boolean allZero(byte[] raw) {
    if (raw == null) {
      return null;
    }
    for (byte x : raw) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /** Integer values of a TensorProto from a Constant node, from raw_data or the typed fields. */
  static long[] integers(TensorProto t) {
    ElementType type = ElementType.fromWire(t.getDataType()).orElse(null);
    if (type == null) {
      return null;
    }
    if (t.hasRawData()) {
      return integers(type, t.getRawData().size() <= MAX_VALUES * 8 ? t.getRawData().toByteArray() : null);
    }
    if (t.getInt64DataCount() > 0 && t.getInt64DataCount() <= MAX_VALUES) {
      long[] out = new long[t.getInt64DataCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = t.getInt64Data(i);
      }
      return out;
    }
    if (t.getInt32DataCount() > 0 && t.getInt32DataCount() <= MAX_VALUES
        && type != ElementType.FLOAT16 && type != ElementType.BFLOAT16) {
      long[] out = new long[t.getInt32DataCount()];
      for (int i = 0; i < out.length; i++) {
        out[i] = t.getInt32Data(i);
      }
      return out;
    }
    return switch (type) {
      case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL -> new long[0];
      default -> null;
    };
  }

  /** All-zero check of a TensorProto's values. */
  static Boolean allZero(TensorProto t) {
    if (t.hasRawData()) {
      return t.getRawData().size() <= 1 << 20 ? allZero(t.getRawData().toByteArray()) : null;
    }
    for (float f : t.getFloatDataList()) {
      if (f != 0f) {
        return false;
      }
    }
    for (int v : t.getInt32DataList()) {
      if (v != 0) {
        return false;
      }
    }
    for (long v : t.getInt64DataList()) {
      if (v != 0) {
        return false;
      }
    }
    for (double v : t.getDoubleDataList()) {
      if (v != 0) {
        return false;
      }
    }
    return true;
  }
}
