package dev.trtcompat.onnx;

import com.google.protobuf.CodedOutputStream;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Protobuf wire pieces written by hand, for tests that lay out models too large to build as messages (sparse files
 * over 2 GiB): tags, varints, length-delimited fields, and small messages to embed.
 */
final class WireBytes {

  private WireBytes() {}

  static byte[] tag(int field, int wire) throws IOException {
    return varint((long) field << 3 | wire);
  }

  static byte[] varint(long v) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeUInt64NoTag(v);
    c.flush();
    return out.toByteArray();
  }

  static byte[] varintField(int field, long v) throws IOException {
    return concat(tag(field, 0), varint(v));
  }

  static byte[] field(int field, byte[] value) throws IOException {
    return concat(tag(field, 2), varint(value.length), value);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** A serialized NodeProto with one or two inputs ({@code in2} null for one). */
  static byte[] node(String op, String in1, String in2, String out) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).addInput(in1).addOutput(out);
    if (in2 != null) {
      n.addInput(in2);
    }
    return n.build().toByteArray();
  }

  /** A serialized ValueInfoProto: FLOAT [n, 4]. */
  static byte[] valueInfo(String name) {
    return ModelBuilder.model().graph().input(name, ElementType.FLOAT, "n", 4).build().getInput(0).toByteArray();
  }
}
