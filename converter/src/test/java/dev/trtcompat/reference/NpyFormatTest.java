package dev.trtcompat.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NPY files must be byte-identical to NumPy's own (fixtures written by np.save, see resources/npy/README.md). */
class NpyFormatTest {

  @TempDir Path dir;

  static byte[] fixture(String name) throws Exception {
    try (InputStream in = NpyFormatTest.class.getResourceAsStream("/npy/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void writesExactlyWhatNumpyWrites() throws Exception {
    HostTensor t = HostTensor.ofFloats("arange3_f4", new long[] {3}, 0, 1, 2);
    NpyFormat.write(dir.resolve("a.npy"), t);
    assertThat(Files.readAllBytes(dir.resolve("a.npy"))).isEqualTo(fixture("arange3_f4.npy"));

    HostTensor b = new HostTensor("bool_2x2", ElementType.BOOL, new long[] {2, 2}, ByteBuffer.wrap(new byte[] {1, 0, 0, 1}));
    NpyFormat.write(dir.resolve("b.npy"), b);
    assertThat(Files.readAllBytes(dir.resolve("b.npy"))).isEqualTo(fixture("bool_2x2.npy"));

    HostTensor s = HostTensor.ofLongs("scalar_i8", new long[0], -5);
    NpyFormat.write(dir.resolve("s.npy"), s);
    assertThat(Files.readAllBytes(dir.resolve("s.npy"))).isEqualTo(fixture("scalar_i8.npy"));
  }

  @Test
  void headersEndOnA64ByteBoundary() {
    for (int rank = 0; rank < 9; rank++) {
      long[] shape = new long[rank];
      java.util.Arrays.fill(shape, 123456789L);
      assertThat(NpyFormat.header(ElementType.FLOAT16, shape).length % 64).isZero();
    }
  }

  @Test
  void readsNumpyFilesIncludingHalfScalarAndBigEndian() throws Exception {
    HostTensor half = NpyFormat.read("half_2x3", fixture("half_2x3.npy"));
    assertThat(half.type()).isEqualTo(ElementType.FLOAT16);
    assertThat(half.shape()).containsExactly(2, 3);
    assertThat(half.toDoubles()).containsExactly(0.5, -1, 65504, 1.1920928955078125E-7, 0, 3.140625);

    HostTensor scalar = NpyFormat.read("scalar_i8", fixture("scalar_i8.npy"));
    assertThat(scalar.shape()).isEmpty();
    assertThat(scalar.toDoubles()).containsExactly(-5);

    HostTensor be = NpyFormat.read("big_endian_i4", fixture("big_endian_i4.npy"));
    assertThat(be.type()).isEqualTo(ElementType.INT32);
    assertThat(be.toDoubles()).containsExactly(1, 256, -2);
    assertThat(be.data().order(ByteOrder.LITTLE_ENDIAN).getInt(4)).isEqualTo(256);
  }

  @Test
  void roundTripsEveryElementType() throws Exception {
    for (ElementType type : HostTypes.ALL) {
      HostTensor t = RandomInputs.generate("t_" + type, type, new long[] {3, 5}, 1);
      Path f = dir.resolve(type + ".npy");
      NpyFormat.write(f, t);
      assertThat(NpyFormat.read(f)).as(type.name()).isEqualTo(t.withName(type + ""));
    }
  }

  @Test
  void rejectsDamagedFilesWithAUserFacingMessage() throws Exception {
    byte[] good = fixture("arange3_f4.npy");
    assertThatThrownBy(() -> NpyFormat.read("x", new byte[] {1, 2, 3}))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("magic");
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 4);
    assertThatThrownBy(() -> NpyFormat.read("x", truncated))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("header promises 12");
    byte[] fortran = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1)
        .replace("'fortran_order': False", "'fortran_order': True ").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> NpyFormat.read("x", fortran)).hasMessageContaining("Fortran");
  }
}
