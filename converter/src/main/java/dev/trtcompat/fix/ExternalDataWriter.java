package dev.trtcompat.fix;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.ExternalDataRef;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.SparseTensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves a model's initializer payloads into one external-data file, as the ONNX external-data spec describes it
 * (onnx/onnx docs/ExternalData.md): the tensor keeps its name, type and dims, {@code data_location} becomes
 * EXTERNAL and {@code external_data} holds {@code location} (a plain file name beside the model), {@code offset}
 * and {@code length}; the file holds the bytes {@code raw_data} would.
 *
 * <p>The bytes never pass through the heap: a payload read from the source model is a view of its file mapping and
 * is written from there; one that was already external in the source is copied file to file with
 * {@link FileChannel#transferTo}; one a pass computed is written from its new value. The one external-data writer of
 * the project: quantize and fp16 write their large models through it too ({@code quantize.ModelFiles}).
 */
public final class ExternalDataWriter {

  /** Smaller payloads stay inside the model (onnx's own {@code size_threshold} default is the same 1 KiB). */
  static final int MIN_BYTES = 1024;
  /** Payloads this large start on an {@link #ALIGNMENT} boundary, so a runtime can map them instead of copying. */
  static final long ALIGN_FROM = 1 << 20;
  /**
   * The spec asks for offsets on the page size (4 KiB) for mmap, and on Windows on the allocation granularity
   * (64 KiB); 64 KiB satisfies both. ONNX Runtime aligns the same share of tensors (above 1 MiB) when it saves
   * external data (onnxruntime include/onnxruntime/core/graph/model_saving_options.h, align_threshold).
   */
  static final long ALIGNMENT = 64 * 1024;
  /** Heap buffers are written in pieces: the JDK copies a heap buffer into a direct one of the same size first. */
  private static final int CHUNK = 1 << 20;

  private ExternalDataWriter() {}

  /**
   * Writes the payloads of {@code model}'s main-graph initializers (raw_data of {@link #MIN_BYTES} or more, and
   * every tensor already external) to {@code dataFile} and returns the model pointing at them.
   *
   * @param sourceDir the folder the source model was read from: its external-data locations are relative to it
   * @param location the name the model records for {@code dataFile} (it must sit beside the written model)
   */
  public static ModelProto write(ModelProto model, Path sourceDir, Path dataFile, String location)
      throws IOException {
    GraphProto.Builder graph = model.getGraph().toBuilder();
    Map<String, FileChannel> sources = new HashMap<>();
    try (FileChannel out = FileChannel.open(dataFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      long offset = 0;
      for (int i = 0; i < graph.getInitializerCount(); i++) {
        TensorProto t = graph.getInitializer(i);
        boolean external = t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
        if (!external && t.getRawData().size() < MIN_BYTES) {
          continue;
        }
        Region from = external ? Region.of(t, sourceDir) : null;
        long length = external ? from.length(sources) : t.getRawData().size();
        if (length >= ALIGN_FROM) {
          offset = (offset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        }
        out.position(offset);
        if (external) {
          transfer(from.channel(sources), from.offset(), length, out);
        } else {
          writeAll(t.getRawData(), out);
        }
        graph.setInitializer(i, t.toBuilder().clearRawData().clearExternalData()
            .setDataLocation(TensorProto.DataLocation.EXTERNAL)
            .addExternalData(entry("location", location))
            .addExternalData(entry("offset", Long.toString(offset)))
            .addExternalData(entry("length", Long.toString(length)))
            .build());
        offset += length;
      }
      out.force(true);
    } finally {
      for (FileChannel ch : sources.values()) {
        ch.close();
      }
    }
    return model.toBuilder().setGraph(graph).build();
  }

  /** Whether any main-graph initializer keeps its weights in an external file. */
  static boolean anyExternal(ModelProto model) {
    return model.getGraph().getInitializerList().stream()
        .anyMatch(t -> t.getDataLocation() == TensorProto.DataLocation.EXTERNAL);
  }

  /**
   * Whether a tensor outside the main graph's initializers (a sparse initializer, a Constant node's value, a
   * subgraph's initializer) keeps its data in an external file: those are not rewritten, so their locations stay
   * relative to the source's folder.
   */
  static boolean anyNestedExternal(ModelProto model) {
    GraphProto g = model.getGraph();
    for (SparseTensorProto s : g.getSparseInitializerList()) {
      if (external(s)) {
        return true;
      }
    }
    return anyExternal(g.getNodeList());
  }

  private static boolean anyExternal(List<NodeProto> nodes) {
    for (NodeProto n : nodes) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasT() && external(a.getT()) || a.getTensorsList().stream().anyMatch(ExternalDataWriter::external)
            || a.hasSparseTensor() && external(a.getSparseTensor())) {
          return true;
        }
        List<GraphProto> graphs = new ArrayList<>(a.getGraphsList());
        if (a.hasG()) {
          graphs.add(a.getG());
        }
        for (GraphProto sub : graphs) {
          if (sub.getInitializerList().stream().anyMatch(ExternalDataWriter::external)
              || sub.getSparseInitializerList().stream().anyMatch(ExternalDataWriter::external)
              || anyExternal(sub.getNodeList())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean external(TensorProto t) {
    return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
  }

  private static boolean external(SparseTensorProto s) {
    return external(s.getValues()) || external(s.getIndices());
  }

  /** Writes {@code bytes} at {@code out}'s position: a mapped view by the kernel, heap bytes in pieces. */
  static void writeAll(ByteString bytes, FileChannel out) throws IOException {
    for (ByteBuffer b : bytes.asReadOnlyByteBufferList()) {
      if (b.isDirect()) {
        // a view of the source's mapping: the kernel copies from the page cache
        while (b.hasRemaining()) {
          out.write(b);
        }
      } else {
        for (int at = b.position(); at < b.limit(); at += CHUNK) {
          ByteBuffer piece = b.duplicate().position(at).limit(Math.min(b.limit(), at + CHUNK));
          while (piece.hasRemaining()) {
            out.write(piece);
          }
        }
      }
    }
  }

  private static void transfer(FileChannel from, long offset, long length, FileChannel out) throws IOException {
    long done = 0;
    while (done < length) {
      long n = from.transferTo(offset + done, length - done, out);
      if (n <= 0) {
        throw new IOException("the external-data file ended " + (length - done) + " bytes early");
      }
      done += n;
    }
  }

  /** One {@code external_data} entry. */
  static StringStringEntryProto entry(String key, String value) {
    return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
  }

  /** Where an external tensor's bytes lie in the source folder (checked by OnnxModelReader before any pass ran). */
  private record Region(Path file, long offset, long declaredLength) {

    static Region of(TensorProto t, Path sourceDir) {
      ExternalDataRef ref = ExternalDataRef.of(t.getName(), t.getExternalDataList());
      return new Region(sourceDir.resolve(ref.location()), ref.offset(), ref.length());
    }

    FileChannel channel(Map<String, FileChannel> open) throws IOException {
      FileChannel ch = open.get(file.toString());
      if (ch == null) {
        ch = FileChannel.open(file, StandardOpenOption.READ);
        open.put(file.toString(), ch);
      }
      return ch;
    }

    /** The spec makes length optional: without it the tensor runs to the end of the file. */
    long length(Map<String, FileChannel> open) throws IOException {
      return declaredLength >= 0 ? declaredLength : channel(open).size() - offset;
    }
  }
}
