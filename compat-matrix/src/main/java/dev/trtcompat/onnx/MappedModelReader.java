package dev.trtcompat.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The whole {@code ModelProto} of a model file of any size, for rewriting it, with no weight on the heap.
 *
 * <p>protobuf-java parses at most 2 GiB per message, so the model and graph levels are walked on the wire with
 * {@link WireReader} (64-bit positions, as {@link OnnxModelReader} does) and every field below them (a node, an
 * initializer, an opset entry) is parsed by protobuf-java from a read-only mapping of the file with aliasing:
 * each {@code raw_data} stays a view of the page cache. A field cannot exceed 2 GiB (protobuf's length limit for a
 * bytes field); the model as a whole can.
 *
 * <p>The file must not change while the returned model is in use (the payloads are views of it). Callers check
 * the file with {@link OnnxModelReader} first; this reader adds no validation of its own beyond what parsing needs.
 */
public final class MappedModelReader {

  private static final int MODEL_GRAPH = 7;

  private MappedModelReader() {}

  /**
   * @throws InvalidModelException when the file does not parse
   */
  public static ModelProto read(Path file) {
    Path path = file.toAbsolutePath().normalize();
    String name = String.valueOf(path.getFileName());
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      return new Walk(channel).model();
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidModelException("'" + name + "' has a part that does not decode: " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new InvalidModelException("'" + name + "' ends in the middle of a field: the file is truncated");
    } catch (IOException e) {
      throw new InvalidModelException("'" + name + "' cannot be read for rewriting: " + e.getMessage(), e);
    }
  }

  /** One reading: the wire walk plus the current mapped window that fields are sliced from. */
  private static final class Walk {
    private final FileChannel channel;
    private final WireReader in;
    private MappedByteBuffer window;
    private long windowStart;

    Walk(FileChannel channel) throws IOException {
      this.channel = channel;
      this.in = new WireReader(channel);
    }

    ModelProto model() throws IOException {
      ModelProto.Builder model = ModelProto.newBuilder();
      long end = in.size();
      while (in.position() < end) {
        long start = in.position();
        long tag = in.readVarint();
        int wire = (int) (tag & 7);
        if (tag >>> 3 == MODEL_GRAPH && wire == WireReader.LEN) {
          long len = in.checkedLength(end);
          model.mergeGraph(graph(in.position() + len));
        } else {
          in.skipValue(wire, end);
          merge(model, start, in.position());
        }
      }
      return model.build();
    }

    private GraphProto graph(long end) throws IOException {
      GraphProto.Builder graph = GraphProto.newBuilder();
      while (in.position() < end) {
        long start = in.position();
        long tag = in.readVarint();
        in.skipValue((int) (tag & 7), end);
        merge(graph, start, in.position());
      }
      if (in.position() != end) {
        throw new WireReader.TruncatedException(in.position(), end);
      }
      return graph.build();
    }

    /** Merges one field (tag and value, bytes {@code [start, end)} of the file) into {@code into}. */
    private void merge(Message.Builder into, long start, long end) throws IOException {
      long len = end - start;
      if (len > Integer.MAX_VALUE) {
        throw new InvalidModelException("one field of the model is " + len + " bytes; protobuf fields are at most 2 GiB");
      }
      // unsafeWrap marks the mapping immutable: only then does aliasing hand out views instead of heap copies.
      CodedInputStream cis = UnsafeByteOperations.unsafeWrap(slice(start, (int) len)).newCodedInput();
      cis.enableAliasing(true);
      cis.setSizeLimit(Integer.MAX_VALUE);
      cis.setRecursionLimit(OnnxModelReader.RECURSION_LIMIT);
      into.mergeFrom(cis);
    }

    /**
     * A view of {@code len} bytes at {@code start}: from the current window when it covers them, else from a new
     * window mapped at {@code start}, as large as a buffer allows. A file under 2 GiB is one mapping.
     */
    private ByteBuffer slice(long start, int len) throws IOException {
      if (window == null || start < windowStart || start + len > windowStart + window.capacity()) {
        long size = Math.min(in.size() - start, Integer.MAX_VALUE);
        window = channel.map(FileChannel.MapMode.READ_ONLY, start, size);
        windowStart = start;
      }
      return window.slice((int) (start - windowStart), len);
    }
  }
}
