package dev.trtcompat.accuracy;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.reference.Float16;
import dev.trtcompat.reference.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the reference inputs as the raw files {@code trtexec --loadInputs=name:file,...} reads, so the engine
 * sees exactly the values ONNX Runtime saw.
 *
 * <p>trtexec reads each file with {@code loadFromFile(fileName, dst, size)} straight into the input binding
 * (samples/common/sampleUtils.cpp and sampleInference.cpp in https://github.com/NVIDIA/TensorRT): the file
 * must hold exactly volume x element size bytes, row-major, in the binding's element type, little-endian on
 * every platform TensorRT supports. The binding's type is the ONNX input type except where the engine
 * differs: TensorRT before 10.0 has no INT64 and its ONNX parser casts INT64 inputs to INT32, and
 * {@code --inputIOFormats=fp16:chw} makes a float input half. Callers say so with {@code bindingTypes}.
 */
public final class TrtexecInputFiles {

  /** The files written and the value for {@code --loadInputs=}. */
  public record Written(Map<String, Path> files, String loadInputsSpec) {}

  private TrtexecInputFiles() {}

  /**
   * @param dir where to write, one {@code <name>.bin} per input
   * @param dirSeenByTrtexec the same folder as trtexec sees it (e.g. the mount point in the container)
   * @param bindingTypes element type of the engine's binding per input name, where it differs from the tensor's
   */
  public static Written write(
      Path dir, String dirSeenByTrtexec, Iterable<HostTensor> inputs, Map<String, ElementType> bindingTypes)
      throws IOException {
    Files.createDirectories(dir);
    Map<String, Path> files = new LinkedHashMap<>();
    StringBuilder spec = new StringBuilder();
    for (HostTensor t : inputs) {
      HostTensor cast = castTo(t, bindingTypes.getOrDefault(t.name(), t.type()));
      String fileName = t.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".bin";
      Path file = dir.resolve(fileName);
      try (FileChannel ch =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer data = cast.data();
        while (data.hasRemaining()) {
          ch.write(data);
        }
      }
      files.put(t.name(), file);
      if (spec.length() > 0) {
        spec.append(',');
      }
      // trtexec lets a name be wrapped in single quotes when it contains ':' or ','.
      String name = t.name().matches(".*[:,].*") ? "'" + t.name() + "'" : t.name();
      String base = dirSeenByTrtexec.endsWith("/") ? dirSeenByTrtexec : dirSeenByTrtexec + "/";
      spec.append(name).append(':').append(base).append(fileName);
    }
    return new Written(files, spec.toString());
  }

  /** Converts element by element; integer targets must hold every value exactly. */
  static HostTensor castTo(HostTensor t, ElementType target) {
    if (t.type() == target) {
      return t;
    }
    int n = Math.toIntExact(t.elementCount());
    ByteBuffer b = ByteBuffer.allocate(n * target.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      double v = t.get(i);
      if (!target.isFloatingPoint() && target != ElementType.BOOL && (v != Math.rint(v) || !fits(v, target))) {
        throw new IllegalArgumentException(
            "input '" + t.name() + "' value " + v + " does not fit the engine's " + target + " binding");
      }
      switch (target) {
        case FLOAT -> b.putFloat((float) v);
        case DOUBLE -> b.putDouble(v);
        case FLOAT16 -> b.putShort(Float16.fromFloat((float) v));
        case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
        case INT8, UINT8 -> b.put((byte) v);
        case INT16, UINT16 -> b.putShort((short) v);
        case INT32, UINT32 -> b.putInt((int) (long) v);
        case INT64, UINT64 -> b.putLong((long) v);
      }
    }
    return new HostTensor(t.name(), target, t.shape(), b.flip());
  }

  private static boolean fits(double v, ElementType t) {
    return switch (t) {
      case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
      case UINT8 -> v >= 0 && v <= 255;
      case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
      case UINT16 -> v >= 0 && v <= 65535;
      case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
      case UINT32 -> v >= 0 && v <= 4294967295.0;
      default -> true;
    };
  }
}
