package dev.trtcompat.fix;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.Float16;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.HostTypes;
import dev.trtcompat.reference.TensorProtoFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * Conversions between ONNX {@code TensorProto}s and {@link HostTensor}s for constant folding: values as longs
 * (exact for every integer type) or doubles, and back, always written as little-endian {@code raw_data}.
 */
final class Tensors {

  /** Constants larger than this are never decoded for folding: folding is for shapes, axes and small tables. */
  static final long MAX_FOLD_BYTES = 1 << 20;

  private Tensors() {}

  /** The values of a small, inline tensor; empty when too large, external, or of a type folding does not handle. */
  static Optional<HostTensor> decode(TensorProto t) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL
        || HostTypes.fromWire(t.getDataType()).isEmpty()) {
      return Optional.empty();
    }
    long n = 1;
    for (long d : t.getDimsList()) {
      n *= d;
    }
    if (n * HostTypes.fromWire(t.getDataType()).get().byteSize() > MAX_FOLD_BYTES) {
      return Optional.empty();
    }
    try {
      return Optional.of(TensorProtoFiles.decode(t, t.getName()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static TensorProto encode(String name, HostTensor h) {
    TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(h.type().wire());
    for (long d : h.shape()) {
      b.addDims(d);
    }
    return b.setRawData(ByteString.copyFrom(h.data())).build();
  }

  static boolean isInteger(ElementType t) {
    return !t.isFloatingPoint();
  }

  static long[] longs(HostTensor h) {
    int n = Math.toIntExact(h.elementCount());
    ByteBuffer b = h.data();
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = switch (h.type()) {
        case INT64, UINT64 -> b.getLong(i * 8);
        case INT32 -> b.getInt(i * 4);
        case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
        case INT16 -> b.getShort(i * 2);
        case UINT16 -> b.getShort(i * 2) & 0xffff;
        case INT8 -> b.get(i);
        case UINT8 -> b.get(i) & 0xff;
        case BOOL -> b.get(i) != 0 ? 1 : 0;
        default -> (long) h.get(i);
      };
    }
    return out;
  }

  static double[] doubles(HostTensor h) {
    return h.toDoubles();
  }

  static HostTensor ofLongs(ElementType type, long[] shape, long[] v) {
    if (type.isFloatingPoint()) {
      double[] d = new double[v.length];
      for (int i = 0; i < v.length; i++) {
        d[i] = v[i];
      }
      return ofDoubles(type, shape, d);
    }
    ByteBuffer b = ByteBuffer.allocate(v.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      switch (type.byteSize()) {
        case 8 -> b.putLong(x);
        case 4 -> b.putInt((int) x);
        case 2 -> b.putShort((short) x);
        default -> b.put(type == ElementType.BOOL ? (byte) (x != 0 ? 1 : 0) : (byte) x);
      }
    }
    return new HostTensor("", type, shape, b.flip());
  }

  /** Floating values are rounded once to the target type, as a float32 kernel computing the same value would. */
  static HostTensor ofDoubles(ElementType type, long[] shape, double[] v) {
    if (!type.isFloatingPoint()) {
      long[] l = new long[v.length];
      for (int i = 0; i < v.length; i++) {
        l[i] = type == ElementType.BOOL ? (v[i] != 0 ? 1 : 0) : (long) v[i];
      }
      return ofLongs(type, shape, l);
    }
    ByteBuffer b = ByteBuffer.allocate(v.length * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (double x : v) {
      switch (type) {
        case FLOAT -> b.putFloat((float) x);
        case DOUBLE -> b.putDouble(x);
        default -> b.putShort(Float16.fromFloat((float) x));
      }
    }
    return new HostTensor("", type, shape, b.flip());
  }
}
