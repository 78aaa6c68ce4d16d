package dev.trtcompat.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Verifies an external-data reference before anything follows it: relative, inside the model's folder
 * (after resolving links), present, and long enough for the bytes the tensor claims.
 */
final class ExternalDataCheck {

  private final Path modelDir;
  private final Path realModelDir;

  ExternalDataCheck(Path modelDir) throws IOException {
    this.modelDir = modelDir.toAbsolutePath().normalize();
    this.realModelDir = this.modelDir.toRealPath();
  }

  /** Returns the verified file for {@code tensor}'s external data. */
  Path verify(TensorInfo tensor) {
    String location = tensor.externalLocation();
    String who = "initializer '" + tensor.name() + "'";
    if (location.isEmpty() || location.indexOf('\0') >= 0) {
      throw new UnsafeModelPathException(who + " names an empty or invalid external-data location");
    }
    if (location.startsWith("/") || location.startsWith("\\") || location.matches("^[A-Za-z]:.*")) {
      throw new UnsafeModelPathException(
          who + " points its external data at the absolute path '" + location
              + "'; external data must be a file inside the model's folder");
    }
    for (String segment : location.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw new UnsafeModelPathException(
            who + " points its external data at '" + location
                + "', which leaves the model's folder; external data must be a file inside it");
      }
    }
    Path file;
    try {
      file = modelDir.resolve(location).normalize();
    } catch (InvalidPathException e) {
      throw new UnsafeModelPathException(who + " names an invalid external-data location '" + location + "'");
    }
    if (!file.startsWith(modelDir)) {
      throw new UnsafeModelPathException(
          who + " points its external data outside the model's folder ('" + location + "')");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file)) {
      throw new InvalidModelException(
          who + " keeps its weights in '" + location
              + "', which is not next to the model; upload or copy that file into the model's folder");
    }
    long fileSize;
    try {
      if (!file.toRealPath().startsWith(realModelDir)) {
        throw new UnsafeModelPathException(
            who + " points its external data at '" + location + "', a link that leaves the model's folder");
      }
      fileSize = Files.size(file);
    } catch (IOException e) {
      throw new InvalidModelException(who + " keeps its weights in '" + location + "', which cannot be read");
    }
    long need = tensor.storedLength() >= 0 ? tensor.storedLength() : tensor.payloadBytes();
    long offset = Math.max(0, tensor.storedOffset());
    if (need > fileSize || offset > fileSize - need) {
      throw new InvalidModelException(
          who + " needs bytes " + offset + ".." + (offset + need) + " of '" + location
              + "', but that file has only " + fileSize + " bytes (truncated?)");
    }
    return file;
  }
}
