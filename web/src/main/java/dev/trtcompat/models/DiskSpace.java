package dev.trtcompat.models;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.units.ByteSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses an upload whose size is known up front (a resumable upload's declaration, a request's Content-Length)
 * when the data folder's disk cannot hold it, before a byte is written: otherwise it would fail near its end, after
 * minutes of sending, having filled the disk the database and the other uploads share.
 */
public final class DiskSpace {

  /** Kept free besides the upload (the database, logs, the model's records): at least this, or 5% of the upload. */
  static final long MIN_SPARE = 64L << 20;

  private DiskSpace() {}

  /** The spare space kept free beside an upload of {@code bytes}. */
  public static long spare(long bytes) {
    return Math.max(MIN_SPARE, bytes / 20);
  }

  /** Throws a 507-kind error when {@code bytes} plus the spare do not fit on the disk holding {@code dir}. */
  public static void requireRoom(Path dir, long bytes) throws IOException {
    long usable = Files.getFileStore(dir).getUsableSpace();
    long spare = spare(bytes);
    if (bytes > usable - spare) {
      throw new UserFacingException(Kind.INSUFFICIENT_STORAGE, "insufficient_storage",
          "the upload needs " + ByteSize.human(bytes) + " but the server's data folder has " + ByteSize.human(usable)
              + " free, of which " + ByteSize.human(spare) + " are kept spare; ask the operator to free space, or"
              + " send a smaller model");
    }
  }
}
