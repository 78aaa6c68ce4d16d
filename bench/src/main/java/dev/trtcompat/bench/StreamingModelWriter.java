package dev.trtcompat.bench;

import com.google.protobuf.CodedOutputStream;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.StringStringEntryProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an ONNX model whose weights never sit in memory: field lengths are computed first, then the file
 * is written front to back, weight payloads streamed from a small repeating pattern. Fields go in the order
 * protobuf serializers use (nodes, name, initializers, inputs, outputs), so the weights lie between the
 * nodes and the graph inputs as in exported models.
 */
final class StreamingModelWriter {

  /** An initializer: its header (name, type, dims) and how many payload bytes follow. */
  record Weight(TensorProto header, long bytes) {}

  private final List<NodeProto> nodes = new ArrayList<>();
  private final List<Weight> weights = new ArrayList<>();
  private final List<ValueInfoProto> inputs = new ArrayList<>();
  private final List<ValueInfoProto> outputs = new ArrayList<>();
  private final String graphName;
  private final long opset;

  StreamingModelWriter(String graphName, long opset) {
    this.graphName = graphName;
    this.opset = opset;
  }

  StreamingModelWriter node(NodeProto n) {
    nodes.add(n);
    return this;
  }

  StreamingModelWriter weight(String name, int dataType, int elementBytes, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(dataType);
    long count = 1;
    for (long d : dims) {
      t.addDims(d);
      count *= d;
    }
    weights.add(new Weight(t.build(), count * elementBytes));
    return this;
  }

  StreamingModelWriter input(ValueInfoProto v) {
    inputs.add(v);
    return this;
  }

  StreamingModelWriter output(ValueInfoProto v) {
    outputs.add(v);
    return this;
  }

  int nodeCount() {
    return nodes.size();
  }

  /** Writes the model with its weights inline. */
  void write(Path model) throws IOException {
    write(model, null);
  }

  /**
   * Writes the model; with {@code dataFile} (a file name beside the model) the weights go there as ONNX
   * external data and the model keeps only their location, offset and length.
   */
  void write(Path model, String dataFile) throws IOException {
    List<TensorProto> headers = new ArrayList<>();
    long offset = 0;
    for (Weight w : weights) {
      if (dataFile == null) {
        headers.add(w.header());
      } else {
        headers.add(
            w.header().toBuilder()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", dataFile))
                .addExternalData(entry("offset", Long.toString(offset)))
                .addExternalData(entry("length", Long.toString(w.bytes())))
                .build());
        offset += w.bytes();
      }
    }
    long graphLength = 0;
    for (NodeProto n : nodes) {
      graphLength += CodedOutputStream.computeMessageSize(1, n);
    }
    graphLength += CodedOutputStream.computeStringSize(2, graphName);
    for (int i = 0; i < weights.size(); i++) {
      graphLength += lengthField(5, tensorLength(headers.get(i), dataFile == null ? weights.get(i).bytes() : -1));
    }
    for (ValueInfoProto v : inputs) {
      graphLength += CodedOutputStream.computeMessageSize(11, v);
    }
    for (ValueInfoProto v : outputs) {
      graphLength += CodedOutputStream.computeMessageSize(12, v);
    }

    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(model), 1 << 20)) {
      CodedOutputStream out = CodedOutputStream.newInstance(file, 1 << 16);
      out.writeInt64(1, 8);
      out.writeString(2, "trt-compat-bench");
      out.writeString(3, "1");
      out.writeTag(7, 2);
      out.writeUInt64NoTag(graphLength);
      for (NodeProto n : nodes) {
        out.writeMessage(1, n);
      }
      out.writeString(2, graphName);
      for (int i = 0; i < weights.size(); i++) {
        TensorProto h = headers.get(i);
        long payload = dataFile == null ? weights.get(i).bytes() : -1;
        out.writeTag(5, 2);
        out.writeUInt64NoTag(tensorLength(h, payload));
        h.writeTo(out);
        if (payload >= 0) {
          out.writeTag(9, 2);
          out.writeUInt64NoTag(payload);
          out.flush();
          Payload.write(file, payload);
        }
      }
      for (ValueInfoProto v : inputs) {
        out.writeMessage(11, v);
      }
      for (ValueInfoProto v : outputs) {
        out.writeMessage(12, v);
      }
      out.writeTag(8, 2);
      out.writeUInt64NoTag(CodedOutputStream.computeInt64Size(2, opset));
      out.writeInt64(2, opset);
      out.flush();
    }
    if (dataFile != null) {
      try (OutputStream data = new BufferedOutputStream(Files.newOutputStream(model.resolveSibling(dataFile)), 1 << 20)) {
        Payload.write(data, offset);
      }
    }
  }

  private static long tensorLength(TensorProto header, long payload) {
    long n = header.getSerializedSize();
    if (payload >= 0) {
      n += lengthField(9, payload);
    }
    return n;
  }

  private static long lengthField(int field, long length) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt64SizeNoTag(length) + length;
  }

  private static StringStringEntryProto entry(String k, String v) {
    return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  /** Weight bytes: small finite floats repeated, so the file is real data, not a sparse hole. */
  static final class Payload {
    private static final byte[] PATTERN = pattern();

    private static byte[] pattern() {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      java.util.Random r = new java.util.Random(1);
      while (b.hasRemaining()) {
        b.putFloat((float) (r.nextGaussian() * 0.02));
      }
      return b.array();
    }

    static void write(OutputStream out, long bytes) throws IOException {
      while (bytes > 0) {
        int n = (int) Math.min(bytes, PATTERN.length);
        out.write(PATTERN, 0, n);
        bytes -= n;
      }
    }
  }
}
