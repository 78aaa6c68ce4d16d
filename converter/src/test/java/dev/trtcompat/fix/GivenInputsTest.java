package dev.trtcompat.fix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Proof inputs from files named after the inputs they feed (the service's upload): NAME.npy and .npz archives. */
class GivenInputsTest {

  @TempDir Path dir;

  @Test
  void npyFilesFeedTheInputTheyAreNamedAfterAndNpzMembersTheirOwn() throws Exception {
    Path x = dir.resolve("x.npy");
    NpyFormat.write(x, HostTensor.ofFloats("ignored", new long[] {2}, 1.5f, -2f));
    Path npz = npz(dir.resolve("more.npz"), HostTensor.ofLongs("idx", new long[] {3}, 7, 8, 9));

    Map<String, HostTensor> in = GivenInputs.fromFiles(List.of(x, npz));

    assertThat(in.keySet()).containsExactly("x", "idx");
    assertThat(in.get("x").type()).isEqualTo(ElementType.FLOAT);
    assertThat(in.get("x").shape()).containsExactly(2);
    assertThat(in.get("x").data().asFloatBuffer().get(1)).isEqualTo(-2f);
    assertThat(in.get("idx").type()).isEqualTo(ElementType.INT64);
    assertThat(in.get("idx").data().asLongBuffer().get(2)).isEqualTo(9L);
  }

  @Test
  void anInputGivenTwiceOrAFileOfAnotherKindIsRefusedWithItsName() throws Exception {
    Path x = dir.resolve("idx.npy");
    NpyFormat.write(x, HostTensor.ofLongs("idx", new long[] {1}, 1));
    Path npz = npz(dir.resolve("both.npz"), HostTensor.ofLongs("idx", new long[] {1}, 2));
    assertThatThrownBy(() -> GivenInputs.fromFiles(List.of(x, npz)))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("both.npz: input 'idx' is given twice");

    Path txt = Files.writeString(dir.resolve("idx.txt"), "1");
    assertThatThrownBy(() -> GivenInputs.fromFiles(List.of(txt)))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("idx.txt");

    Path broken = Files.write(dir.resolve("y.npy"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> GivenInputs.fromFiles(List.of(broken)))
        .isInstanceOf(UserFacingException.class).hasMessageContaining("y.npy");
  }

  private Path npz(Path file, HostTensor t) throws Exception {
    Path member = Files.createTempFile(dir, "member", ".npy");
    NpyFormat.write(member, t);
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(t.name() + ".npy"));
      zip.write(Files.readAllBytes(member));
      zip.closeEntry();
    }
    Files.delete(member);
    return file;
  }
}
