package dev.trtcompat.reference;

import com.google.protobuf.ByteString;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads serialized ONNX {@code TensorProto} files ({@code input_0.pb}, {@code output_0.pb} of the ONNX test
 * data sets, and what {@code onnx.numpy_helper.from_array} writes) into {@link HostTensor}s.
 *
 * <p>Values come either as {@code raw_data} (little-endian element bytes) or in the typed repeated field the
 * ONNX IR assigns to the element type (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto, TensorProto):
 * float_data for FLOAT; double_data for DOUBLE; int64_data for INT64; uint64_data for UINT32 and UINT64;
 * int32_data for INT32, INT16, INT8, UINT16, UINT8, BOOL and the bit patterns of FLOAT16.
 */
public final class TensorProtoFiles {

  private TensorProtoFiles() {}

  public static HostTensor read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return decode(TensorProto.parseFrom(in), file.getFileName().toString());
    }
  }

  /** @param fallbackName used when the proto carries no name */
  public static HostTensor decode(TensorProto p, String fallbackName) {
    String name = p.hasName() && !p.getName().isEmpty() ? p.getName() : fallbackName;
    if (!p.getUnknownFields().asMap().isEmpty()) {
      // A SequenceProto or OptionalProto parses as a TensorProto with stray fields; refuse it by name.
      throw unsupported(name, "it is not a TensorProto (a sequence, map or optional value?)");
    }
    if (p.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
      throw unsupported(name, "its values are stored in an external file");
    }
    ElementType type =
        HostTypes.fromWire(p.getDataType())
            .orElseThrow(() -> unsupported(name, "element type " + ElementType.nameOf(p.getDataType())));
    long[] shape = p.getDimsList().stream().mapToLong(Long::longValue).toArray();
    int n;
    try {
      n = Math.toIntExact(HostTensor.elementCount(shape));
    } catch (ArithmeticException e) {
      throw unsupported(name, "its shape " + java.util.Arrays.toString(shape) + " is too large");
    }
    if (p.hasRawData()) {
      // a view, not a copy: a weight parsed from a mapped model stays in the page cache (quantize, fp16, fix)
      ByteString raw = p.getRawData();
      return new HostTensor(name, type, shape, raw.asReadOnlyByteBuffer());
    }
    ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
    int have =
        switch (type) {
          case FLOAT -> p.getFloatDataCount();
          case DOUBLE -> p.getDoubleDataCount();
          case INT64 -> p.getInt64DataCount();
          case UINT32, UINT64 -> p.getUint64DataCount();
          default -> p.getInt32DataCount();
        };
    if (have != n) {
      throw new UserFacingException(
          Kind.INVALID_INPUT, "invalid_tensor_proto",
          "tensor '" + name + "' holds " + have + " values for " + n + " elements of shape "
              + InputShapes.formatDims(shape));
    }
    for (int i = 0; i < n; i++) {
      switch (type) {
        case FLOAT -> b.putFloat(p.getFloatData(i));
        case DOUBLE -> b.putDouble(p.getDoubleData(i));
        case INT64 -> b.putLong(p.getInt64Data(i));
        case UINT32 -> b.putInt((int) p.getUint64Data(i));
        case UINT64 -> b.putLong(p.getUint64Data(i));
        case INT32 -> b.putInt(p.getInt32Data(i));
        case INT16, UINT16, FLOAT16 -> b.putShort((short) p.getInt32Data(i));
        case INT8, UINT8, BOOL -> b.put((byte) p.getInt32Data(i));
      }
    }
    return new HostTensor(name, type, shape, b.flip());
  }

  private static UserFacingException unsupported(String name, String why) {
    return new UserFacingException(
        Kind.INVALID_INPUT, "unsupported_tensor_proto", "tensor '" + name + "' cannot be read: " + why);
  }
}
