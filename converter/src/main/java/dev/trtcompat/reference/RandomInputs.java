package dev.trtcompat.reference;

import dev.trtcompat.onnx.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Seeded random input tensors, identical for the same seed, name, type and shape on every machine, so a
 * reference made today can be regenerated for an engine run tomorrow.
 *
 * <p>Value ranges: floating point uniform in [-1, 1) (the range normalised images and embeddings live in);
 * integers uniform in [0, 3] (valid as indices, class ids and axis-free counts for any dimension of 4 or
 * more, where a full-range integer would make Gather or Embedding inputs fail); bool uniform true/false.
 * Each input draws from its own stream seeded by (seed, input name), so adding an input does not change the
 * values of the others.
 */
public final class RandomInputs {

  static final int INT_BOUND = 4;

  private RandomInputs() {}

  public static String describe(ElementType type, long seed) {
    String range =
        type.isFloatingPoint() ? "uniform [-1, 1)" : type == ElementType.BOOL ? "uniform {false, true}" : "uniform integers [0, 3]";
    return "random " + range + ", seed " + seed;
  }

  public static HostTensor generate(String name, ElementType type, long[] shape, long seed) {
    int n = Math.toIntExact(HostTensor.elementCount(shape));
    SplittableRandom random = new SplittableRandom(seed * 31 + name.hashCode());
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      switch (type) {
        case FLOAT -> b.putFloat((float) (random.nextDouble() * 2 - 1));
        case DOUBLE -> b.putDouble(random.nextDouble() * 2 - 1);
        case FLOAT16 -> b.putShort(Float16.fromFloat((float) (random.nextDouble() * 2 - 1)));
        case BOOL -> b.put((byte) (random.nextBoolean() ? 1 : 0));
        case INT8, UINT8 -> b.put((byte) random.nextInt(INT_BOUND));
        case INT16, UINT16 -> b.putShort((short) random.nextInt(INT_BOUND));
        case INT32, UINT32 -> b.putInt(random.nextInt(INT_BOUND));
        case INT64, UINT64 -> b.putLong(random.nextInt(INT_BOUND));
      }
    }
    return new HostTensor(name, type, shape, b.flip());
  }
}
