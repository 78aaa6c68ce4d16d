package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.util.List;

/** Reading and replacing node attributes. */
final class Attrs {

  private Attrs() {}

  static AttributeProto find(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a;
      }
    }
    return null;
  }

  static long i(NodeProto n, String name, long dflt) {
    AttributeProto a = find(n, name);
    return a == null ? dflt : a.getI();
  }

  static float f(NodeProto n, String name, float dflt) {
    AttributeProto a = find(n, name);
    return a == null ? dflt : a.getF();
  }

  static String s(NodeProto n, String name, String dflt) {
    AttributeProto a = find(n, name);
    return a == null ? dflt : a.getS().toStringUtf8();
  }

  static long[] ints(NodeProto n, String name) {
    long[] v = intsOrNull(n, name);
    if (v == null) {
      throw new IllegalArgumentException("missing attribute " + name);
    }
    return v;
  }

  static long[] intsOrNull(NodeProto n, String name) {
    AttributeProto a = find(n, name);
    return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
  }

  static TensorProto tensor(NodeProto n, String name) {
    AttributeProto a = find(n, name);
    return a == null || !a.hasT() ? null : a.getT();
  }

  static NodeProto without(NodeProto n, String name) {
    NodeProto.Builder b = n.toBuilder().clearAttribute();
    for (AttributeProto a : n.getAttributeList()) {
      if (!a.getName().equals(name)) {
        b.addAttribute(a);
      }
    }
    return b.build();
  }

  static AttributeProto ofInt(String name, long v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
  }

  static AttributeProto ofFloat(String name, float v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
  }

  static AttributeProto ofInts(String name, List<Long> v) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS).addAllInts(v).build();
  }
}
