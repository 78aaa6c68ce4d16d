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

  /**
   * Space already promised on the disk: bytes that other unfinished uploads declared and have not sent yet.
   *
   * @param uploads how many uploads promised them, for the message
   */
  public record Promised(long bytes, int uploads) {
    public static final Promised NONE = new Promised(0, 0);
  }

  /** Throws a 507-kind error when {@code bytes} plus the spare do not fit on the disk holding {@code dir}. */
  public static void requireRoom(Path dir, long bytes) throws IOException {
    requireRoom(dir, bytes, Promised.NONE);
  }

  /**
   * Throws a 507-kind error when {@code bytes} plus the spare do not fit on the disk holding {@code dir} beside what
   * is {@code promised} to other uploads.
   */
  public static void requireRoom(Path dir, long bytes, Promised promised) throws IOException {
    long usable = Files.getFileStore(dir).getUsableSpace();
    long spare = spare(bytes);
    if (bytes > usable - promised.bytes() - spare) {
      String others = promised.bytes() == 0 ? ""
          : ", " + ByteSize.human(promised.bytes()) + " are still to come for " + promised.uploads()
              + " unfinished resumable upload(s)";
      throw new UserFacingException(Kind.INSUFFICIENT_STORAGE, "insufficient_storage",
          "the upload needs " + ByteSize.human(bytes) + " but the server's data folder has " + ByteSize.human(usable)
              + " free, of which " + ByteSize.human(spare) + " are kept spare" + others + "; ask the operator to free"
              + " space, or send a smaller model" + (promised.bytes() == 0 ? "" : " or finish or abort the others"));
    }
  }
}
