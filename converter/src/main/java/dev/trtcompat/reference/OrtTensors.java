package dev.trtcompat.reference;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Moves tensors between {@link HostTensor} and ONNX Runtime's native tensors. */
public final class OrtTensors {

  private OrtTensors() {}

  /** The Java API creates tensors of these types only (no unsigned 16/32/64-bit). */
  static Optional<OnnxJavaType> javaType(ElementType t) {
    return Optional.ofNullable(
        switch (t) {
          case FLOAT -> OnnxJavaType.FLOAT;
          case DOUBLE -> OnnxJavaType.DOUBLE;
          case FLOAT16 -> OnnxJavaType.FLOAT16;
          case INT8 -> OnnxJavaType.INT8;
          case UINT8 -> OnnxJavaType.UINT8;
          case BOOL -> OnnxJavaType.BOOL;
          case INT16 -> OnnxJavaType.INT16;
          case INT32 -> OnnxJavaType.INT32;
          case INT64 -> OnnxJavaType.INT64;
          default -> null; // UINT16, UINT32, UINT64, and every type the reference does not hold
        });
  }

  private static final String ORT_PREFIX = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";

  /**
   * By name: {@code OnnxTensorType.value} is the Java API's own numbering, not ONNX's wire value, while the
   * constant names end in the ONNX type names.
   */
  static Optional<ElementType> elementType(TensorInfo info) {
    try {
      return Optional.of(ElementType.valueOf(onnxName(info))).filter(HostTypes.ALL::contains);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static String onnxName(TensorInfo info) {
    return info.onnxType.name().replace(ORT_PREFIX, "");
  }

  public static OnnxTensor toOrt(OrtEnvironment env, HostTensor t) throws OrtException {
    OnnxJavaType jt =
        javaType(t.type())
            .orElseThrow(
                () -> new UserFacingException(
                    UserFacingException.Kind.INVALID_INPUT,
                    "unsupported_input_type",
                    "input '" + t.name() + "' is " + t.type()
                        + ", which ONNX Runtime's Java API cannot create; the reference needs a model whose inputs"
                        + " are float, double, float16, bool or signed/uint8 integers"));
    // A direct buffer in native order is handed to ONNX Runtime without another copy.
    ByteBuffer direct = ByteBuffer.allocateDirect(t.data().remaining()).order(ByteOrder.nativeOrder());
    ByteBuffer src = t.data();
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || t.type().byteSize() == 1) {
      direct.put(src);
    } else {
      copySwapped(src, direct, t.type().byteSize());
    }
    direct.flip();
    return OnnxTensor.createTensor(env, direct, t.shape(), jt);
  }

  /** Copies an output out of native memory; the caller still closes {@code value}. */
  public static HostTensor fromOrt(String name, OnnxValue value) {
    if (!(value instanceof OnnxTensor tensor)) {
      throw new UserFacingException(
          UserFacingException.Kind.INVALID_INPUT,
          "unsupported_output",
          "output '" + name + "' is a " + value.getType() + ", not a tensor; the reference compares tensors only");
    }
    TensorInfo info = tensor.getInfo();
    ElementType type =
        elementType(info)
            .filter(t -> javaType(t).isPresent())
            .orElseThrow(
                () -> new UserFacingException(
                    UserFacingException.Kind.INVALID_INPUT,
                    "unsupported_output_type",
                    "output '" + name + "' is " + onnxName(info)
                        + ", which ONNX Runtime's Java API cannot read back"));
    ByteBuffer native_ = tensor.getByteBuffer().order(ByteOrder.nativeOrder());
    ByteBuffer le = ByteBuffer.allocate(native_.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || type.byteSize() == 1) {
      le.put(native_);
    } else {
      copySwapped(native_, le, type.byteSize());
    }
    return new HostTensor(name, type, info.getShape(), le.flip());
  }

  private static void copySwapped(ByteBuffer src, ByteBuffer dst, int width) {
    byte[] e = new byte[width];
    while (src.hasRemaining()) {
      src.get(e);
      for (int i = width - 1; i >= 0; i--) {
        dst.put(e[i]);
      }
    }
  }

  /** Native input tensors of one run, closed together. */
  public static final class Inputs implements AutoCloseable {
    private final Map<String, OnnxTensor> tensors = new LinkedHashMap<>();

    public void put(String name, OnnxTensor t) {
      tensors.put(name, t);
    }

    public Map<String, OnnxTensor> asMap() {
      return tensors;
    }

    @Override
    public void close() {
      tensors.values().forEach(OnnxTensor::close);
      tensors.clear();
    }
  }
}
