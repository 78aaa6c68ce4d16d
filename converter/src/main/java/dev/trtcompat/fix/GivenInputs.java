package dev.trtcompat.fix;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * User-supplied inputs for the equivalence run: {@code name:file.npy} entries and {@code .npz} archives
 * (NumPy's zip of {@code name.npy} members, as {@code numpy.savez} writes them).
 */
public final class GivenInputs {

  /** An .npz member larger than this is refused rather than read into memory. */
  static final long MAX_MEMBER = 1L << 30;

  private GivenInputs() {}

  public static Map<String, HostTensor> read(List<String> specs) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (String spec : specs) {
      try {
        if (spec.endsWith(".npz")) {
          readNpz(Path.of(spec), out);
        } else {
          int colon = spec.lastIndexOf(':');
          if (colon <= 0 || !spec.endsWith(".npy")) {
            throw bad("'" + spec + "': give name:file.npy or an .npz archive");
          }
          String name = spec.substring(0, colon);
          out.put(name, NpyFormat.read(Path.of(spec.substring(colon + 1))).withName(name));
        }
      } catch (IOException e) {
        throw bad("cannot read '" + spec + "': " + e.getMessage());
      }
    }
    return out;
  }

  private static void readNpz(Path file, Map<String, HostTensor> out) throws IOException {
    try (InputStream fin = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(fin)) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        if (e.isDirectory() || !e.getName().endsWith(".npy")) {
          continue;
        }
        byte[] bytes = zip.readNBytes((int) MAX_MEMBER);
        if (zip.read() != -1) {
          throw bad(file.getFileName() + ": member " + e.getName() + " is over 1 GiB");
        }
        String name = e.getName().substring(0, e.getName().length() - 4);
        out.put(name, NpyFormat.read(name, bytes));
      }
    }
  }

  private static UserFacingException bad(String why) {
    return new UserFacingException(Kind.BAD_REQUEST, "invalid_inputs", why);
  }
}
