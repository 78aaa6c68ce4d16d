package dev.trtcompat.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The on-disk layout of a reference: {@code outputs/<name>.npy}, {@code inputs/<name>.npy} and
 * {@code reference.json}. Tensor names become file names only after sanitising (ONNX names may hold
 * {@code /} and {@code :}), with a numeric suffix when two names collide.
 */
final class ReferenceFiles {

  static final String OUTPUTS = "outputs";
  static final String INPUTS = "inputs";
  static final String RESULT = "reference.json";

  private final Path root;
  private final Set<String> used = new HashSet<>();

  ReferenceFiles(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve(OUTPUTS));
    Files.createDirectories(root.resolve(INPUTS));
  }

  Path root() {
    return root;
  }

  /** Writes the tensor and answers its path relative to the root. */
  String write(String folder, HostTensor t) throws IOException {
    String base = fileStem(t.name());
    String stem = base;
    for (int i = 2; !used.add(folder + "/" + stem.toLowerCase(Locale.ROOT)); i++) {
      stem = base + "_" + i;
    }
    String relative = folder + "/" + stem + ".npy";
    NpyFormat.write(root.resolve(relative), t);
    return relative;
  }

  static String fileStem(String tensorName) {
    String s = tensorName.replaceAll("[^A-Za-z0-9._-]", "_");
    if (s.isEmpty() || s.startsWith(".")) {
      s = "t" + s;
    }
    return s.length() > 100 ? s.substring(0, 100) : s;
  }
}
