package dev.trtcompat.onnx;

import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** Turns a TensorProto parsed by protobuf-java into a {@link TensorInfo} and its values into raw bytes. */
final class TensorDecoding {

  private TensorDecoding() {}

  /** Describes a tensor held by protobuf-java (subgraph initializers, small tensors). */
  static TensorInfo describe(TensorProto t) {
    ElementType type = elementType(t.getDataType(), "tensor '" + t.getName() + "'");
    List<Long> dims = List.copyOf(t.getDimsList());
    String location = null;
    long storedOffset = -1;
    long storedLength = t.hasRawData() ? t.getRawData().size() : -1;
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      ExternalDataRef ref = ExternalDataRef.of(t.getName(), t.getExternalDataList());
      location = ref.location();
      storedOffset = ref.offset();
      storedLength = ref.length();
    }
    long count = elementCount(dims);
    long payload;
    if (type == ElementType.STRING) {
      payload = t.getStringDataList().stream().mapToLong(s -> s.size()).sum();
    } else if (location != null && storedLength >= 0) {
      payload = storedLength;
    } else {
      payload = type.bytesFor(count);
    }
    byte[] small =
        location == null && payload <= OnnxModelReader.SMALL_VALUE_LIMIT ? rawBytes(t, type, count) : null;
    return new TensorInfo(t.getName(), type, dims, payload, storedOffset, storedLength, location, small);
  }

  static ElementType elementType(int wire, String where) {
    return ElementType.fromWire(wire)
        .orElseThrow(
            () ->
                new InvalidModelException(
                    where + " has element type " + wire + ", which this trt-compat does not know (it knows 0 to "
                        + (ElementType.values().length - 1) + ", up to FLOAT8E8M0); the file is corrupt or newer"));
  }

  static long parseLong(String value, String tensor, String key) {
    try {
      long v = Long.parseLong(value.trim());
      if (v < 0) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new InvalidModelException(
          "initializer '" + tensor + "' has external-data " + key + " '" + value + "', not a non-negative integer");
    }
  }

  static long elementCount(List<Long> dims) {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        return 0;
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /**
   * The values as little-endian raw bytes in the element type's storage width, or null where they cannot
   * be given that way (strings, 4-bit types in typed fields, inconsistent lengths).
   */
  static byte[] rawBytes(TensorProto t, ElementType type, long count) {
    if (t.hasRawData()) {
      return t.getRawData().toByteArray();
    }
    long expected = type.bytesFor(count);
    if (expected > Integer.MAX_VALUE || type.bits() == 0 || type.bits() == 4) {
      return null;
    }
    ByteBuffer out = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
    int values =
        switch (type) {
          case FLOAT, COMPLEX64 -> t.getFloatDataCount();
          case DOUBLE, COMPLEX128 -> t.getDoubleDataCount();
          case INT64 -> t.getInt64DataCount();
          case UINT32, UINT64 -> t.getUint64DataCount();
          default -> t.getInt32DataCount();
        };
    int perElement = (type == ElementType.COMPLEX64 || type == ElementType.COMPLEX128) ? 2 : 1;
    if ((long) values != count * perElement) {
      return null;
    }
    for (int i = 0; i < values; i++) {
      switch (type) {
        case FLOAT, COMPLEX64 -> out.putFloat(t.getFloatData(i));
        case DOUBLE, COMPLEX128 -> out.putDouble(t.getDoubleData(i));
        case INT64 -> out.putLong(t.getInt64Data(i));
        case UINT64 -> out.putLong(t.getUint64Data(i));
        case UINT32 -> out.putInt((int) t.getUint64Data(i));
        case INT32 -> out.putInt(t.getInt32Data(i));
        case INT16, UINT16, FLOAT16, BFLOAT16 -> out.putShort((short) t.getInt32Data(i));
        default -> out.put((byte) t.getInt32Data(i));
      }
    }
    return out.array();
  }
}
