package dev.trtcompat.catalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where the catalog kept engines before it became an index over the engine store: a copy of each engine at
 * {@code <engines>/<first two hex digits>/<sha256>.engine}. Still read and removed, so a data folder written
 * by an earlier version keeps serving its engines until they are evicted or their model is deleted.
 */
final class EarlierEngineLayout {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path root;

  EarlierEngineLayout(Path enginesDir) {
    this.root = enginesDir;
  }

  Path path(String sha256) {
    if (sha256 == null || !SHA256.matcher(sha256).matches()) {
      // The hash becomes a path: never let anything else through.
      throw new IllegalArgumentException("not a lowercase SHA-256: " + sha256);
    }
    return root.resolve(sha256.substring(0, 2)).resolve(sha256 + ".engine");
  }

  boolean delete(String sha256) throws IOException {
    return Files.deleteIfExists(path(sha256));
  }
}
