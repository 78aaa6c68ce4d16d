package dev.trtcompat.reference;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes and reads NumPy {@code .npy} files so reference outputs open directly in {@code numpy.load}.
 *
 * <p>Format (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html): magic {@code \x93NUMPY},
 * version bytes, a little-endian header length (2 bytes in v1.0, 4 in v2.0/v3.0), then an ASCII Python dict
 * literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }} padded with spaces and ended by
 * a newline so that the data starts on a 64-byte boundary, then the raw elements. We write v1.0 (headers of
 * our tensors are far below 64 KiB); the reader also accepts v2.0/v3.0 and big-endian data.
 */
public final class NpyFormat {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ALIGN = 64;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private NpyFormat() {}

  /** The NPY v1.0 header (magic through the newline) for a tensor. */
  static byte[] header(ElementType type, long[] shape) {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    if (shape.length == 1) {
      dims.append(',');
    }
    String dict = "{'descr': '" + HostTypes.npyDescr(type) + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int pad = (ALIGN - unpadded % ALIGN) % ALIGN;
    String text = dict + " ".repeat(pad) + "\n";
    if (text.length() > 0xffff) {
      throw new IllegalArgumentException("NPY header too long for v1.0: " + text.length());
    }
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + text.length()).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
    b.put(text.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  public static void write(Path file, HostTensor tensor) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(header(tensor.type(), tensor.shape()));
      ByteBuffer data = tensor.data();
      byte[] chunk = new byte[64 * 1024];
      while (data.hasRemaining()) {
        int n = Math.min(chunk.length, data.remaining());
        data.get(chunk, 0, n);
        out.write(chunk, 0, n);
      }
    }
  }

  /** Reads an NPY file; the tensor is named after the file (without {@code .npy}). */
  public static HostTensor read(Path file) throws IOException {
    String name = file.getFileName().toString().replaceFirst("\\.npy$", "");
    return read(name, Files.readAllBytes(file));
  }

  public static HostTensor read(String name, byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (byte m : MAGIC) {
      if (b.remaining() == 0 || b.get() != m) {
        throw invalid(name, "it does not start with the NPY magic bytes");
      }
    }
    if (b.remaining() < 4) {
      throw invalid(name, "the header is truncated");
    }
    int major = b.get();
    b.get(); // minor version: no reader-visible difference
    long headerLen =
        switch (major) {
          case 1 -> b.getShort() & 0xffff;
          case 2, 3 -> b.getInt() & 0xffffffffL;
          default -> throw invalid(name, "NPY version " + major + " is not supported (1.0 to 3.0 are)");
        };
    if (headerLen > b.remaining()) {
      throw invalid(name, "the header is truncated");
    }
    byte[] headerBytes = new byte[(int) headerLen];
    b.get(headerBytes);
    String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = find(DESCR, header, name, "descr");
    if ("True".equals(find(FORTRAN, header, name, "fortran_order"))) {
      throw invalid(name, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray first");
    }
    long[] shape = parseShape(find(SHAPE, header, name, "shape"), name);
    ElementType type =
        HostTypes.fromNpyDescr(descr)
            .orElseThrow(() -> invalid(name, "element type '" + descr + "' is not supported"));
    long bytesNeeded = HostTensor.elementCount(shape) * type.byteSize();
    if (b.remaining() < bytesNeeded) {
      throw invalid(name, "it holds " + b.remaining() + " data bytes, the header promises " + bytesNeeded);
    }
    byte[] data = new byte[(int) bytesNeeded];
    b.get(data);
    if (descr.trim().startsWith(">") && type.byteSize() > 1) {
      swapBytes(data, type.byteSize());
    }
    return new HostTensor(name, type, shape, ByteBuffer.wrap(data));
  }

  private static void swapBytes(byte[] data, int width) {
    for (int at = 0; at < data.length; at += width) {
      for (int i = 0, j = width - 1; i < j; i++, j--) {
        byte t = data[at + i];
        data[at + i] = data[at + j];
        data[at + j] = t;
      }
    }
  }

  private static long[] parseShape(String text, String name) {
    List<Long> dims = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.trim().replaceFirst("L$", "");
      if (!p.isEmpty()) {
        try {
          dims.add(Long.parseLong(p));
        } catch (NumberFormatException e) {
          throw invalid(name, "the shape (" + text + ") is not a tuple of integers");
        }
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static String find(Pattern p, String header, String name, String key) {
    Matcher m = p.matcher(header);
    if (!m.find()) {
      throw invalid(name, "the header has no '" + key + "' entry");
    }
    return m.group(1);
  }

  private static UserFacingException invalid(String name, String why) {
    return new UserFacingException(
        UserFacingException.Kind.INVALID_INPUT, "invalid_npy", name + ".npy is not a readable NPY file: " + why);
  }
}
