package dev.trtcompat.models;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One upload being received: a private folder under the data folder's {@code tmp/}, into which the model
 * and its external-data files are streamed while their SHA-256 is computed and the byte budget enforced.
 * Closing it deletes whatever is left, so an upload that fails at any point leaves no file behind.
 */
public final class StagedUpload implements AutoCloseable {

  /** The name every model file gets on disk; the uploader's name is kept as data only. */
  public static final String MODEL_FILE = "model.onnx";

  static final String FILES = "files";
  private static final int BUFFER = 256 * 1024;
  /**
   * Written bytes after which a flush to disk is started in the background while receiving goes on, so that the
   * flush at the end finds little left to write instead of the whole file (the kernel's own write-back only starts
   * past a share of RAM, gigabytes on a large machine).
   */
  static final long SYNC_EVERY = 64L << 20;
  /** Buffers in flight per file: one being received and written while the others are hashed. */
  private static final int BUFFERS = 4;
  /** Threads that flush and hash uploads beside the request threads receiving them. */
  private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "upload-helper");
    t.setDaemon(true);
    return t;
  });
  private static final int MAX_NAME_LENGTH = 255;

  private final Path dir;
  private final Path files;
  private final long maxBytes;
  private long written;
  private String modelName;
  private String modelSha256;
  private long modelBytes;
  private final List<StoredFile> externals = new ArrayList<>();
  private final Set<String> externalNames = new TreeSet<>();
  /** Files renamed in by {@link #adoptHashed}: where each is now and where it came from. */
  private final List<Path[]> adopted = new ArrayList<>();
  /** Where an upload's time went, for the log line that says so (issue 15 asked to measure before tuning). */
  private long copyNanos;
  private long syncNanos;

  StagedUpload(Path dir, long maxBytes) throws IOException {
    this.dir = dir;
    this.files = dir.resolve(FILES);
    this.maxBytes = maxBytes;
    Files.createDirectories(files);
  }

  /** Streams the model file in; {@code originalName} is recorded for display. */
  public void addModel(String originalName, InputStream in) throws IOException {
    if (modelName != null) {
      throw new UserFacingException(
          Kind.BAD_REQUEST, "duplicate_model", "the upload has more than one 'model' field; send one model per request");
    }
    modelName = displayName(originalName);
    StoredFile f = copy(MODEL_FILE, in);
    modelSha256 = f.sha256();
    modelBytes = f.bytes();
  }

  /**
   * A file in this staging area outside the model's folder, for a model made on the server (the fixer writes its
   * output here): removed with the staging area, so a failure leaves nothing.
   */
  public Path scratchFile(String name) throws IOException {
    return Files.createDirectories(dir.resolve("scratch")).resolve(checkExternalName(name));
  }

  /**
   * Takes a model made on the server (in {@link #scratchFile}) as this upload's model: hashed by reading it once,
   * then renamed into place rather than copied (it is already durable: the fixer forces it to disk).
   */
  public void adoptModel(String originalName, Path file) throws IOException {
    if (modelName != null) {
      throw new IllegalStateException("this staging area holds a model already");
    }
    StoredFile f = adopt(MODEL_FILE, file);
    modelName = displayName(originalName);
    modelSha256 = f.sha256();
    modelBytes = f.bytes();
  }

  /**
   * Takes an external-data file made on the server beside an adopted model, under the name the model uses, as
   * {@link #adoptModel} takes the model.
   */
  public void adoptExternal(String name, Path file) throws IOException {
    String checked = newExternalName(name);
    externals.add(adopt(checked, file));
  }

  private StoredFile adopt(String name, Path file) throws IOException {
    MessageDigest sha = sha256();
    long bytes = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[BUFFER];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
        bytes += n;
      }
    }
    if (written + bytes > maxBytes) {
      throw new UploadTooLargeException(maxBytes);
    }
    Files.move(file, files.resolve(name));
    written += bytes;
    return new StoredFile(name, bytes, HexFormat.of().formatHex(sha.digest()));
  }

  /**
   * Takes a file that was received and hashed elsewhere (a resumable upload's) into this upload by renaming it, so
   * its bytes are not read again; {@link #giveBack} renames every such file back when the model is refused.
   *
   * @param name the model's display name, or the external-data file's name (checked as {@link #addExternal} does)
   */
  public void adoptHashed(String name, boolean isModel, Path file, long bytes, String sha256) throws IOException {
    if (written + bytes > maxBytes) {
      throw new UploadTooLargeException(maxBytes);
    }
    String stored;
    if (isModel) {
      if (modelName != null) {
        throw new UserFacingException(
            Kind.BAD_REQUEST, "duplicate_model", "the upload has more than one model file; send one model per upload");
      }
      stored = MODEL_FILE;
    } else {
      stored = newExternalName(name);
    }
    Path target = files.resolve(stored);
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    adopted.add(new Path[] {target, file});
    written += bytes;
    if (isModel) {
      modelName = displayName(name);
      modelSha256 = sha256;
      modelBytes = bytes;
    } else {
      externals.add(new StoredFile(stored, bytes, sha256));
    }
  }

  /** Renames the files taken by {@link #adoptHashed} back to where they came from (the model was refused). */
  public void giveBack() throws IOException {
    for (Path[] move : adopted) {
      if (Files.exists(move[0])) {
        Files.move(move[0], move[1], StandardCopyOption.ATOMIC_MOVE);
      }
    }
    adopted.clear();
  }

  /**
   * Streams one external-data file in, under {@code name}, beside the model, where the reader's
   * external-data checks will look for it.
   */
  public void addExternal(String name, InputStream in) throws IOException {
    String checked = newExternalName(name);
    externals.add(copy(checked, in));
  }

  /** {@code name} checked as an external-data file name and not yet taken by this upload. */
  private String newExternalName(String name) {
    String checked = checkExternalName(name);
    if (!externalNames.add(checked)) {
      throw new UserFacingException(
          Kind.BAD_REQUEST, "duplicate_external_file", "the external-data file '" + checked + "' was sent twice");
    }
    return checked;
  }

  /** Refuses an upload of {@code bytes} the disk of this staging area cannot hold ({@link DiskSpace}). */
  public void requireRoom(long bytes) throws IOException {
    requireRoom(bytes, DiskSpace.Promised.NONE);
  }

  /** Refuses an upload of {@code bytes} that does not fit beside what is {@code promised} to other uploads. */
  public void requireRoom(long bytes, DiskSpace.Promised promised) throws IOException {
    DiskSpace.requireRoom(dir, bytes, promised);
  }

  /** Bytes received so far over all files. */
  public long bytes() {
    return written;
  }

  public boolean hasModel() {
    return modelName != null;
  }

  Path dir() {
    return dir;
  }

  Path modelFile() {
    return files.resolve(MODEL_FILE);
  }

  String modelName() {
    return modelName;
  }

  String modelSha256() {
    return modelSha256;
  }

  long modelBytes() {
    return modelBytes;
  }

  List<StoredFile> externals() {
    return List.copyOf(externals);
  }

  /** Deletes the staging folder and everything in it, unless it was moved into the store. */
  @Override
  public void close() throws IOException {
    deleteTree(dir);
  }

  /** Nanoseconds spent receiving, hashing and writing the files (network waits included). */
  long copyNanos() {
    return copyNanos;
  }

  /** Nanoseconds spent making the written files durable. */
  long syncNanos() {
    return syncNanos;
  }

  /**
   * One pass over the bytes: each buffer received is written to the file by this thread and hashed by a helper
   * thread in the meantime (in order: each hash step runs after the one before), so hashing and writing use two
   * cores; a buffer is reused only once its hash step is done.
   */
  private StoredFile copy(String name, InputStream in) throws IOException {
    MessageDigest sha = sha256();
    Path target = files.resolve(name);
    long start = written;
    long t0 = System.nanoTime();
    Future<?> syncing = null;
    CompletableFuture<Void> hashing = CompletableFuture.completedFuture(null);
    try (FileChannel out =
        FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      try {
        byte[][] bufs = new byte[BUFFERS][BUFFER];
        List<CompletableFuture<Void>> hashed = new ArrayList<>(java.util.Collections.nCopies(BUFFERS, hashing));
        long unsynced = 0;
        for (int i = 0; ; i = (i + 1) % BUFFERS) {
          hashed.get(i).join();
          byte[] buf = bufs[i];
          // Whole buffers: the multipart parser hands out a few KiB per read, and a write call per few KiB would
          // cost more system time than the hashing.
          int n = in.readNBytes(buf, 0, BUFFER);
          if (n == 0) {
            break;
          }
          written += n;
          if (written > maxBytes) {
            throw new UploadTooLargeException(maxBytes);
          }
          hashing = hashing.thenRunAsync(() -> sha.update(buf, 0, n), HELPERS);
          hashed.set(i, hashing);
          ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
          while (bb.hasRemaining()) {
            out.write(bb);
          }
          unsynced += n;
          if (unsynced >= SYNC_EVERY && (syncing == null || syncing.isDone())) {
            awaitSync(syncing);
            syncing = HELPERS.submit(() -> {
              out.force(false);
              return null;
            });
            unsynced = 0;
          }
        }
        hashing.join();
        long t1 = System.nanoTime();
        copyNanos += t1 - t0;
        // The file is renamed into the store and never re-verified: make it durable before that.
        awaitSync(syncing);
        syncing = null;
        out.force(false);
        syncNanos += System.nanoTime() - t1;
      } finally {
        if (syncing != null) {
          awaitQuietly(syncing); // never close the file under a flush in flight
        }
      }
    }
    return new StoredFile(name, written - start, HexFormat.of().formatHex(sha.digest()));
  }

  /** Waits for a background flush; its failure is this upload's failure. */
  private static void awaitSync(Future<?> syncing) throws IOException {
    if (syncing == null) {
      return;
    }
    try {
      syncing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while flushing the upload to disk");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io ? io : new IOException("flushing the upload to disk failed", e.getCause());
    }
  }

  private static void awaitQuietly(Future<?> syncing) {
    try {
      syncing.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // the upload failed already; this flush no longer matters
    }
  }

  /** External-data names become file names: one plain name, no folders, nothing hidden or odd. */
  public static String checkExternalName(String name) {
    String n = name == null ? "" : name.strip();
    String why = null;
    if (n.isEmpty()) {
      why = "has no file name";
    } else if (n.indexOf('/') >= 0 || n.indexOf('\\') >= 0) {
      why = "contains a path separator; send the file under its plain name, as the model refers to it";
    } else if (n.equals(".") || n.equals("..") || n.contains("..")) {
      why = "contains '..'";
    } else if (n.startsWith(".")) {
      why = "starts with '.'";
    } else if (n.length() > MAX_NAME_LENGTH) {
      why = "is longer than " + MAX_NAME_LENGTH + " characters";
    } else if (n.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == ':')) {
      why = "contains control characters or ':'";
    } else if (n.equals(MODEL_FILE)) {
      why = "is the name the model itself is stored under";
    }
    if (why != null) {
      throw new UserFacingException(
          Kind.BAD_REQUEST, "invalid_file_name",
          "the external-data file name '" + printable(n) + "' " + why);
    }
    return n;
  }

  /** The uploader's file name, reduced to its last segment and stripped of control characters, for display. */
  public static String displayName(String name) {
    String n = name == null ? "" : name;
    n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
    n = printable(n).strip();
    if (n.length() > MAX_NAME_LENGTH) {
      n = n.substring(0, MAX_NAME_LENGTH);
    }
    return n.isEmpty() ? MODEL_FILE : n;
  }

  private static String printable(String s) {
    return s.codePoints()
        .map(c -> c < 0x20 || c == 0x7f ? '?' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** Deletes a folder and everything in it; a missing folder is fine. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
            deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw exc;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void deleteIfExists(Path p) throws IOException {
    Files.deleteIfExists(p);
  }
}
