package dev.trtcompat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModelReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces that make every concurrent upload distinct and still a valid model. */
class UploadLoadTest {

  @Test
  void patchesAreDistinctForThousandsOfUploadsAndKeepEveryFloatFinite() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] p = UploadLoad.patch(i);
      assertThat(seen.add(Arrays.toString(p))).isTrue();
      for (byte b : p) {
        assertThat(b).isBetween((byte) 1, (byte) 60);
      }
    }
    // Written over floats at any of the four alignments, no float becomes NaN or infinite.
    for (int shift = 0; shift < 4; shift++) {
      byte[] weights = new byte[64];
      ByteBuffer.wrap(weights).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(new float[16]);
      System.arraycopy(UploadLoad.patch(9_999_999), 0, weights, 20 + shift, 8);
      ByteBuffer f = ByteBuffer.wrap(weights).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < 16; i++) {
        assertThat(Float.isFinite(f.getFloat(i * 4))).isTrue();
      }
    }
  }

  @Test
  void theUploadModelIsOneBigInitializerAndStaysValidWhenPatched(@TempDir Path dir) throws IOException {
    Path model = dir.resolve("base.onnx");
    UploadLoad.oneWeightModel(4_000_000).write(model);
    long size = Files.size(model);
    Path patched = patchedCopy(model, 7, dir.resolve("patched.onnx"));

    for (Path p : new Path[] {model, patched}) {
      ModelSummary s = ModelSummary.of(OnnxModelReader.read(p));
      assertThat(s.nodeCount()).isEqualTo(1);
      assertThat(s.initializerCount()).isEqualTo(1);
      assertThat(s.initializerBytes()).isEqualTo(4_000_000);
    }
    assertThat(size).isBetween(4_000_000L, 4_000_200L); // the payload is the file, so size / 2 lies inside it
    assertThat(Files.mismatch(model, patched)).isEqualTo(size / 2);
  }

  @Test
  void expectedHashesAreThoseOfThePatchedFiles(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("base.onnx");
    UploadLoad.oneWeightModel(3_000_000).write(model);

    List<String> expected = UploadLoad.expectedHashes(model, 3);

    for (int i = 0; i < 3; i++) {
      byte[] copy = Files.readAllBytes(patchedCopy(model, i, dir.resolve("copy" + i)));
      assertThat(expected.get(i)).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(copy)));
    }
    assertThat(Set.copyOf(expected)).hasSize(3);
  }

  /** The model with upload {@code index}'s patch, written independently of the code under test. */
  private static Path patchedCopy(Path model, int index, Path to) throws IOException {
    byte[] bytes = Files.readAllBytes(model);
    System.arraycopy(UploadLoad.patch(index), 0, bytes, bytes.length / 2, 8);
    return Files.write(to, bytes);
  }
}
