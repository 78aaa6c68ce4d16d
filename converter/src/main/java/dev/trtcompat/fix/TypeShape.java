package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.Arrays;

/**
 * What shape inference knows of a tensor.
 *
 * @param elemType ONNX element type number, 0 when unknown
 * @param dims null when the rank is unknown; -1 entries are unknown or dynamic dimensions
 */
record TypeShape(int elemType, long[] dims) {

  static final TypeShape UNKNOWN = new TypeShape(0, null);

  boolean isStatic() {
    return dims != null && Arrays.stream(dims).allMatch(d -> d >= 0);
  }

  int rank() {
    return dims == null ? -1 : dims.length;
  }

  TypeShape withType(int t) {
    return new TypeShape(t, dims);
  }

  static TypeShape of(ValueInfoProto v) {
    if (!v.hasType() || !v.getType().hasTensorType()) {
      return UNKNOWN;
    }
    TypeProto.Tensor t = v.getType().getTensorType();
    if (!t.hasShape()) {
      return new TypeShape(t.getElemType(), null);
    }
    long[] dims = new long[t.getShape().getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      TensorShapeProto.Dimension d = t.getShape().getDim(i);
      dims[i] = d.hasDimValue() && d.getDimValue() >= 0 ? d.getDimValue() : -1;
    }
    return new TypeShape(t.getElemType(), dims);
  }

  /** A value info with this type and shape; unknown dims keep the symbolic names {@code like} had, if any. */
  ValueInfoProto toValueInfo(String name) {
    TypeProto.Tensor.Builder t = TypeProto.Tensor.newBuilder().setElemType(elemType);
    if (dims != null) {
      TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
      for (long d : dims) {
        s.addDim(d >= 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(d)
            : TensorShapeProto.Dimension.newBuilder());
      }
      t.setShape(s);
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(t)).build();
  }

  @Override
  public String toString() {
    return "TypeShape[" + elemType + " " + Arrays.toString(dims) + "]";
  }
}
