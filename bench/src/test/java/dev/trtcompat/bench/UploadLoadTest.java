package dev.trtcompat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModelReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
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
  void patchedStreamReplacesExactlyThePatchedBytesWhateverTheReadSizes() throws IOException {
    byte[] data = new byte[1000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 7);
    }
    byte[] patch = UploadLoad.patch(12345);
    byte[] expected = data.clone();
    System.arraycopy(patch, 0, expected, 498, patch.length);

    for (int chunk : new int[] {1, 3, 7, 64, 499, 500, 4096}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = new UploadLoad.PatchedStream(new ByteArrayInputStream(data), 498, patch)) {
        byte[] buf = new byte[chunk];
        for (int n = in.read(buf, 0, chunk); n >= 0; n = in.read(buf, 0, chunk)) {
          out.write(buf, 0, n);
        }
      }
      assertThat(out.toByteArray()).as("reads of %d bytes", chunk).isEqualTo(expected);
    }
    ByteArrayOutputStream single = new ByteArrayOutputStream();
    try (InputStream in = new UploadLoad.PatchedStream(new ByteArrayInputStream(data), 498, patch)) {
      for (int c = in.read(); c >= 0; c = in.read()) {
        single.write(c);
      }
    }
    assertThat(single.toByteArray()).isEqualTo(expected);
  }

  @Test
  void theUploadModelIsOneBigInitializerAndStaysValidWhenPatched(@TempDir Path dir) throws IOException {
    Path model = dir.resolve("base.onnx");
    UploadLoad.oneWeightModel(4_000_000).write(model);
    long size = Files.size(model);
    Path patched = dir.resolve("patched.onnx");
    try (InputStream in = new UploadLoad.PatchedStream(Files.newInputStream(model), size / 2, UploadLoad.patch(7))) {
      Files.copy(in, patched);
    }

    for (Path p : new Path[] {model, patched}) {
      ModelSummary s = ModelSummary.of(OnnxModelReader.read(p));
      assertThat(s.nodeCount()).isEqualTo(1);
      assertThat(s.initializerCount()).isEqualTo(1);
      assertThat(s.initializerBytes()).isEqualTo(4_000_000);
    }
    assertThat(size).isBetween(4_000_000L, 4_000_200L); // the payload is the file, so size / 2 lies inside it
    assertThat(Files.mismatch(model, patched)).isEqualTo(size / 2);
  }
}
