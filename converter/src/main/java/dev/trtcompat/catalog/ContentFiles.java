package dev.trtcompat.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Content-addressed files under one folder: {@code <folder>/<first two hex digits>/<sha256><suffix>}. A file
 * is written to a temporary name in the same folder tree and moved into place, so a reader never sees a
 * half-written file and a crash leaves at most a temporary file behind.
 */
final class ContentFiles {

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final Path root;
  private final String suffix;

  ContentFiles(Path root, String suffix) {
    this.root = root;
    this.suffix = suffix;
  }

  static boolean isSha256(String text) {
    return text != null && SHA256.matcher(text).matches();
  }

  Path path(String sha256) {
    if (!isSha256(sha256)) {
      // The hash becomes a path: never let anything else through.
      throw new IllegalArgumentException("not a lowercase SHA-256: " + sha256);
    }
    return root.resolve(sha256.substring(0, 2)).resolve(sha256 + suffix);
  }

  /** A stream copied to a temporary file, with its hash and size. */
  record Staged(Path file, String sha256, long size) {}

  Staged stage(InputStream in) throws IOException {
    Path tmp = root.resolve("tmp");
    Files.createDirectories(tmp);
    Path file = Files.createTempFile(tmp, "upload-", ".part");
    MessageDigest digest = sha256Digest();
    long size;
    try (DigestInputStream din = new DigestInputStream(in, digest);
        OutputStream out = Files.newOutputStream(file)) {
      size = din.transferTo(out);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    return new Staged(file, HexFormat.of().formatHex(digest.digest()), size);
  }

  /** Moves a staged file to its content address; if that exists already, drops the staged copy. */
  Path commit(Staged staged) throws IOException {
    Path target = path(staged.sha256());
    Files.createDirectories(target.getParent());
    if (Files.exists(target)) {
      Files.deleteIfExists(staged.file());
      return target;
    }
    try {
      Files.move(staged.file(), target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(staged.file(), target, StandardCopyOption.REPLACE_EXISTING);
    }
    return target;
  }

  boolean delete(String sha256) throws IOException {
    return Files.deleteIfExists(path(sha256));
  }

  static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
