package dev.trtcompat.onnx;

import java.util.List;

/**
 * An initializer as the reader records it: type, shape and where its payload lives, without the payload.
 *
 * @param payloadBytes logical size of the values (elements x element width; string lengths for STRING)
 * @param storedOffset byte offset of the payload in its file (the model or the external-data file); -1 when
 *     the values are spread over typed repeated fields or absent
 * @param storedLength bytes the payload occupies in that file
 * @param externalLocation the external-data file, relative to the model's folder, or null when inline
 * @param smallValue the values as little-endian raw bytes when the payload is at most {@link
 *     OnnxModelReader#SMALL_VALUE_LIMIT} bytes and inline, else null; enough for constant analysis
 */
public record TensorInfo(
    String name,
    ElementType elemType,
    List<Long> dims,
    long payloadBytes,
    long storedOffset,
    long storedLength,
    String externalLocation,
    byte[] smallValue) {

  public boolean external() {
    return externalLocation != null;
  }

  /** Number of elements from the dims; 1 for a scalar. */
  public long elementCount() {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    return n;
  }
}
