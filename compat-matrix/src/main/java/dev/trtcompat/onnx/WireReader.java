package dev.trtcompat.onnx;

import com.google.protobuf.CodedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Sequential protobuf wire-format reader over a file with 64-bit positions.
 *
 * <p>protobuf-java's CodedInputStream counts bytes in an int and refuses messages over 2 GiB; ONNX files can
 * be larger, and most of their bytes are weights we want to step over, not read. This reader walks tags
 * and varints itself and skips payloads with a seek.
 */
final class WireReader {

  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;
  static final int FIXED32 = 5;

  private static final int BUFFER_SIZE = 64 * 1024;

  private final FileChannel channel;
  private final long size;
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
  /** File position of buffer[0]. */
  private long bufferStart;

  WireReader(FileChannel channel) throws IOException {
    this.channel = channel;
    this.size = channel.size();
    buffer.limit(0);
  }

  long size() {
    return size;
  }

  long position() {
    return bufferStart + buffer.position();
  }

  void seek(long pos) {
    if (pos >= bufferStart && pos <= bufferStart + buffer.limit()) {
      buffer.position((int) (pos - bufferStart));
    } else {
      bufferStart = pos;
      buffer.limit(0);
    }
  }

  void skip(long n) {
    seek(position() + n);
  }

  private boolean fill() throws IOException {
    long pos = position();
    bufferStart = pos;
    buffer.clear();
    int total = 0;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, pos + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    buffer.flip();
    return total > 0;
  }

  int readByte() throws IOException {
    if (!buffer.hasRemaining() && !fill()) {
      throw new EOFException();
    }
    return buffer.get() & 0xff;
  }

  long readVarint() throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      result |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new MalformedWireException("a varint longer than 10 bytes");
  }

  long readFixed64() throws IOException {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v |= (long) readByte() << (8 * i);
    }
    return v;
  }

  int readFixed32() throws IOException {
    int v = 0;
    for (int i = 0; i < 4; i++) {
      v |= readByte() << (8 * i);
    }
    return v;
  }

  /** Reads exactly {@code n} bytes into a new array. */
  byte[] readBytes(int n) throws IOException {
    byte[] out = new byte[n];
    int off = 0;
    while (off < n) {
      if (!buffer.hasRemaining() && !fill()) {
        throw new EOFException();
      }
      int k = Math.min(buffer.remaining(), n - off);
      buffer.get(out, off, k);
      off += k;
    }
    return out;
  }

  /**
   * A protobuf-java input over the next {@code n} bytes, stepping over them: a view of the read buffer when they are
   * all in it (most nodes of a large graph: no copy of each), else over a copy. The view is valid until this reader
   * reads again, so parse it at once; protobuf-java copies every bytes field out of a buffer it may not alias.
   */
  CodedInputStream codedInput(int n) throws IOException {
    if (buffer.remaining() >= n) {
      CodedInputStream view = CodedInputStream.newInstance(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
      buffer.position(buffer.position() + n);
      return view;
    }
    return CodedInputStream.newInstance(readBytes(n));
  }

  /** Maps {@code n} bytes at the current position (for messages too large to copy) and steps over them. */
  ByteBuffer map(long n) throws IOException {
    ByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position(), n);
    skip(n);
    return mapped;
  }

  /** Steps over one field's value of the given wire type. */
  void skipValue(int wireType, long limit) throws IOException {
    switch (wireType) {
      case VARINT -> readVarint();
      case FIXED64 -> skip(8);
      case FIXED32 -> skip(4);
      case LEN -> skip(checkedLength(limit));
      default -> throw new MalformedWireException("wire type " + wireType + " (groups or invalid) where ONNX uses none");
    }
    if (position() > limit) {
      throw new TruncatedException(position(), limit);
    }
  }

  /** Reads a length prefix and checks the bytes it announces lie within {@code limit}. */
  long checkedLength(long limit) throws IOException {
    long at = position();
    long len = readVarint();
    if (len < 0 || len > limit - position()) {
      throw new TruncatedException(at, len, limit - position());
    }
    return len;
  }

  /** Thrown for bytes that cannot be protobuf at all. */
  static final class MalformedWireException extends IOException {
    MalformedWireException(String what) {
      super(what);
    }
  }

  /** Thrown when a length or value runs past the end of its enclosing message or of the file. */
  static final class TruncatedException extends IOException {
    TruncatedException(long at, long declared, long available) {
      super("a field at byte " + at + " declares " + declared + " bytes but only " + available + " remain");
    }

    TruncatedException(long at, long limit) {
      super("a value ends at byte " + at + ", past the end of its message at byte " + limit);
    }
  }
}
