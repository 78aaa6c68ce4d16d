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

  /**
   * Inputs from files whose names say what they feed: {@code NAME.npy} feeds the input {@code NAME}, an
   * {@code .npz} archive feeds one input per member (the service's upload, where no {@code name:} prefix exists).
   *
   * @throws UserFacingException BAD_REQUEST for another suffix, an unreadable file or an input given twice
   */
  public static Map<String, HostTensor> fromFiles(List<Path> files) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Path file : files) {
      String fileName = String.valueOf(file.getFileName());
      try {
        Map<String, HostTensor> got = new LinkedHashMap<>();
        if (fileName.endsWith(".npz")) {
          readNpz(file, got);
        } else if (fileName.endsWith(".npy")) {
          String name = fileName.substring(0, fileName.length() - 4);
          got.put(name, NpyFormat.read(file).withName(name));
        } else {
          throw bad(fileName + ": give NAME.npy files (one per input) or an .npz archive");
        }
        for (var e : got.entrySet()) {
          if (out.putIfAbsent(e.getKey(), e.getValue()) != null) {
            throw bad(fileName + ": input '" + e.getKey() + "' is given twice");
          }
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof UserFacingException u) {
          throw u;
        }
        throw bad("cannot read " + fileName + ": " + e.getMessage());
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
