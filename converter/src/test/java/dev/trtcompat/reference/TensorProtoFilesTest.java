package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TensorProtoFilesTest {

  @Test
  void decodesTypedFieldsAndRawData() {
    TensorProto floats = TensorProto.newBuilder().setName("f").addDims(2).setDataType(1).addFloatData(1.5f).addFloatData(-2f).build();
    assertThat(TensorProtoFiles.decode(floats, "x").toDoubles()).containsExactly(1.5, -2);

    TensorProto bools = TensorProto.newBuilder().addDims(3).setDataType(9).addInt32Data(1).addInt32Data(0).addInt32Data(1).build();
    HostTensor b = TensorProtoFiles.decode(bools, "fallback");
    assertThat(b.name()).isEqualTo("fallback");
    assertThat(b.type()).isEqualTo(ElementType.BOOL);
    assertThat(b.toDoubles()).containsExactly(1, 0, 1);

    TensorProto half = TensorProto.newBuilder().addDims(1).setDataType(10).addInt32Data(0x3c00).build();
    assertThat(TensorProtoFiles.decode(half, "h").toDoubles()).containsExactly(1.0);

    TensorProto u64 = TensorProto.newBuilder().addDims(1).setDataType(13).addUint64Data(-1L).build();
    assertThat(TensorProtoFiles.decode(u64, "u").toDoubles()).containsExactly(1.8446744073709552E19);

    TensorProto raw = TensorProto.newBuilder().addDims(2).setDataType(7)
        .setRawData(ByteString.copyFrom(new byte[] {5, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1})).build();
    assertThat(TensorProtoFiles.decode(raw, "r").toDoubles()).containsExactly(5, -1);
  }

  @Test
  void readsTheOnnxTestDataFiles() throws Exception {
    Path pb = Path.of("/usr/share/libonnx-testdata/data/node/test_abs/test_data_set_0/input_0.pb");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(pb), "libonnx-testdata not installed");
    HostTensor x = TensorProtoFiles.read(pb);
    assertThat(x.name()).isEqualTo("x");
    assertThat(x.shape()).containsExactly(3, 4, 5);
  }

  @Test
  void refusesWhatItCannotRepresent() {
    TensorProto strings = TensorProto.newBuilder().addDims(1).setDataType(8).addStringData(ByteString.copyFromUtf8("a")).build();
    assertThatThrownBy(() -> TensorProtoFiles.decode(strings, "s")).isInstanceOf(UserFacingException.class).hasMessageContaining("STRING");
    TensorProto tooFew = TensorProto.newBuilder().addDims(3).setDataType(1).addFloatData(1).build();
    assertThatThrownBy(() -> TensorProtoFiles.decode(tooFew, "t")).hasMessageContaining("1 values for 3 elements");
  }
}
