package dev.trtcompat.reference;

import dev.trtcompat.onnx.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor in host memory: element type, shape and the raw little-endian element bytes, row-major.
 *
 * <p>The single value that moves between ONNX Runtime, NPY files, TensorProto files, trtexec's raw input
 * files and its JSON output, so that each format needs one reader and one writer and the comparison needs
 * one input type. Immutable: the shape is copied and the bytes are held read-only.
 */
public record HostTensor(String name, ElementType type, long[] shape, ByteBuffer data) {

  public HostTensor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    if (!HostTypes.ALL.contains(type)) {
      throw new IllegalArgumentException("tensor " + name + ": the reference does not hold " + type + " values");
    }
    shape = shape.clone();
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
    }
    long expected = elementCount(shape) * type.byteSize();
    if (data.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor " + name + ": " + data.remaining() + " bytes for shape " + Arrays.toString(shape) + " of "
              + type + " (expected " + expected + ")");
    }
    data = data.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Elements of a shape; 1 for a scalar (empty shape). */
  public static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** A read-only little-endian view positioned at the first element. */
  @Override
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  public long elementCount() {
    return elementCount(shape);
  }

  public HostTensor withName(String newName) {
    return new HostTensor(newName, type, shape, data());
  }

  /** Element {@code i} widened to double (unsigned types read unsigned; bool as 0/1; FLOAT16 decoded). */
  public double get(int i) {
    int at = i * type.byteSize();
    return switch (type) {
      case FLOAT -> data.getFloat(at);
      case DOUBLE -> data.getDouble(at);
      case FLOAT16 -> Float16.toFloat(data.getShort(at));
      case INT8 -> data.get(at);
      case UINT8 -> data.get(at) & 0xff;
      case BOOL -> data.get(at) != 0 ? 1 : 0;
      case INT16 -> data.getShort(at);
      case UINT16 -> data.getShort(at) & 0xffff;
      case INT32 -> data.getInt(at);
      case UINT32 -> data.getInt(at) & 0xffffffffL;
      case INT64 -> data.getLong(at);
      case UINT64 -> unsignedToDouble(data.getLong(at));
      default -> throw new IllegalStateException(type + " is not a host type"); // refused by the constructor
    };
  }

  /** All elements widened to double, the common currency of the statistics and the comparison. */
  public double[] toDoubles() {
    int n = Math.toIntExact(elementCount());
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = get(i);
    }
    return out;
  }

  public static HostTensor ofFloats(String name, long[] shape, float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return new HostTensor(name, ElementType.FLOAT, shape, b.flip());
  }

  public static HostTensor ofLongs(String name, long[] shape, long... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      b.putLong(v);
    }
    return new HostTensor(name, ElementType.INT64, shape, b.flip());
  }

  private static double unsignedToDouble(long v) {
    double d = (double) (v >>> 1) * 2.0;
    return d + (v & 1);
  }

  /** Two tensors are equal when name, type, shape and every byte agree. */
  @Override
  public boolean equals(Object o) {
    return o instanceof HostTensor t
        && name.equals(t.name)
        && type == t.type
        && Arrays.equals(shape, t.shape)
        && data.equals(t.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(shape), data);
  }

  @Override
  public String toString() {
    return "HostTensor[" + name + " " + type + " " + Arrays.toString(shape) + "]";
  }
}
