package dev.trtcompat.quantize;

import dev.trtcompat.reference.HostTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The quantizer's own test fixtures (converter's test-jar, package-private there) for the web tests: a small
 * residual Conv network and .npz calibration files as numpy writes them.
 */
public final class QuantizeTestModels {

  private QuantizeTestModels() {}

  /** x FLOAT 1x4x8x8 -> Conv, Relu, Conv, residual Add, MaxPool, Flatten, Gemm -> y FLOAT 1x10 (opset 13). */
  public static byte[] residualNet() {
    return QuantizeFixtures.residualNet(13).toByteArray();
  }

  /** An .npz holding one random FLOAT array {@code name} of {@code shape}. */
  public static byte[] npz(Path dir, String name, long seed, long... shape) throws Exception {
    return npz(dir, QuantizeFixtures.randomFloats(name, seed, shape));
  }

  /** The bytes of an .npz holding {@code t} alone. */
  public static byte[] npz(Path dir, HostTensor t) throws Exception {
    Path file = QuantizeFixtures.npz(Files.createTempFile(dir, "calib", ".npz"), Map.of(t.name(), t));
    try {
      return Files.readAllBytes(file);
    } finally {
      Files.delete(file);
    }
  }
}
