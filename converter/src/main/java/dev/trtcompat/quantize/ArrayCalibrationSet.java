package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Calibration samples from NumPy files, one sample per file: an {@code .npz} (what {@code numpy.savez} writes, a zip
 * of {@code .npy} members named after the inputs) or, for a model with one input, an {@code .npy} holding that
 * input. An array may carry several samples along a dynamic batch dimension.
 */
final class ArrayCalibrationSet implements CalibrationSet {

  private final List<Path> files;
  private String sha256;

  ArrayCalibrationSet(List<Path> files) {
    this.files = List.copyOf(files);
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public Map<String, HostTensor> sample(int index, List<ModelInput> inputs) {
    Path f = files.get(index);
    try {
      if (f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npz")) {
        return readNpz(f);
      }
      String stem = f.getFileName().toString().replaceFirst("(?i)\\.npy$", "");
      HostTensor t = NpyFormat.read(stem, Files.readAllBytes(f));
      if (inputs.size() == 1) {
        return Map.of(inputs.get(0).name(), t.withName(inputs.get(0).name()));
      }
      throw CalibrationFiles.bad(
          f.getFileName() + ": the model has " + inputs.size() + " inputs "
              + inputs.stream().map(ModelInput::name).toList() + "; give one .npz per sample holding all of them");
    } catch (IOException e) {
      throw unreadable(f, e.getMessage());
    }
  }

  private static Map<String, HostTensor> readNpz(Path f) throws IOException {
    Map<String, HostTensor> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(f.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (e.isDirectory()) {
          continue;
        }
        String name = e.getName().replaceFirst("\\.npy$", "");
        try (InputStream in = zip.getInputStream(e)) {
          arrays.put(name, NpyFormat.read(name, in.readAllBytes()));
        }
      }
    } catch (ZipException e) {
      throw unreadable(f, "it is not an .npz (zip) archive");
    }
    if (arrays.isEmpty()) {
      throw unreadable(f, "the archive holds no arrays");
    }
    return arrays;
  }

  private static UserFacingException unreadable(Path f, String why) {
    return new UserFacingException(
        UserFacingException.Kind.INVALID_INPUT, "calibration_unreadable", "cannot read " + f.getFileName() + ": " + why);
  }

  @Override
  public String label(int index) {
    return files.get(index).getFileName().toString();
  }

  @Override
  public String description() {
    return CalibrationFiles.describeFiles(files, ".npy/.npz");
  }

  @Override
  public synchronized String sha256() {
    if (sha256 == null) {
      sha256 = CalibrationFiles.sha256(files);
    }
    return sha256;
  }

  @Override
  public boolean synthetic() {
    return false;
  }
}
