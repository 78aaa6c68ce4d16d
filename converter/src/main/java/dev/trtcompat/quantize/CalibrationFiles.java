package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Opens calibration data given as a path: a {@code .npy}/{@code .npz} file, a folder of them, or a folder of
 * JPEG/PNG images (which needs an {@link ImagePreprocessing}). Files are taken in name order; subfolders and
 * hidden files are ignored.
 */
public final class CalibrationFiles {

  private CalibrationFiles() {}

  /**
   * @param images how to turn images into tensors; null when the data are arrays
   * @throws UserFacingException NOT_FOUND for a missing path, BAD_REQUEST for an empty folder, a folder mixing
   *     arrays and images, images without preprocessing or files of another kind
   */
  public static CalibrationSet open(Path path, ImagePreprocessing images) {
    if (!Files.exists(path)) {
      throw new UserFacingException(Kind.NOT_FOUND, "calibration_not_found", "no calibration data at " + path);
    }
    List<Path> files = Files.isDirectory(path) ? list(path) : List.of(path);
    if (files.isEmpty()) {
      throw bad("the calibration folder " + path + " holds no .npy, .npz, .jpg, .jpeg or .png files");
    }
    long arrays = files.stream().filter(CalibrationFiles::isArrayFile).count();
    long pictures = files.stream().filter(CalibrationFiles::isImageFile).count();
    if (arrays + pictures < files.size()) {
      Path odd = files.stream().filter(f -> !isArrayFile(f) && !isImageFile(f)).findFirst().orElseThrow();
      throw bad("calibration file " + odd.getFileName() + " is neither .npy/.npz nor a JPEG/PNG image");
    }
    if (arrays > 0 && pictures > 0) {
      throw bad("the calibration folder " + path + " mixes arrays (.npy/.npz) and images; use one kind");
    }
    if (pictures > 0) {
      if (images == null) {
        throw bad("calibration images need a preprocessing: give --size, --layout, --mean, --std and --scale");
      }
      return new ImageCalibrationSet(files, images);
    }
    return new ArrayCalibrationSet(files);
  }

  static boolean isArrayFile(Path f) {
    String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".npy") || n.endsWith(".npz");
  }

  static boolean isImageFile(Path f) {
    String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UserFacingException(
          Kind.INVALID_INPUT, "calibration_unreadable", "cannot list the calibration folder " + dir + ": " + e.getMessage());
    }
  }

  /** SHA-256 over each file's name and bytes, in order, streamed. */
  static String sha256(List<Path> files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      for (Path f : files) {
        md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        try (InputStream in = Files.newInputStream(f)) {
          int n;
          while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
          }
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UserFacingException(
          Kind.INVALID_INPUT, "calibration_unreadable", "cannot read calibration data: " + e.getMessage());
    }
  }

  static String describeFiles(List<Path> files, String kind) {
    Path first = files.get(0);
    Path parent = first.getParent();
    String where = files.size() == 1 ? first.toString() : (parent == null ? "." : parent.toString());
    return files.size() + " " + kind + " file(s) from " + where;
  }

  static UserFacingException bad(String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, "invalid_calibration_data", detail);
  }
}
