package dev.trtcompat.http.upload;

import dev.trtcompat.errors.UserFacingException;

/** A chunk that does not start where its file's received bytes end: 409, with {@code Upload-Offset} saying where. */
final class OffsetMismatch extends UserFacingException {

  private final long received;

  OffsetMismatch(String name, long size, long received, long start) {
    super(Kind.CONFLICT, "offset_mismatch",
        "'" + name + "' has " + received + " of its " + size + " bytes; this chunk starts at byte " + start
            + (start > received ? ", leaving a gap" : ", over bytes already received")
            + ": send the next chunk from byte " + received + " (GET the upload to see what it holds)");
    this.received = received;
  }

  long received() {
    return received;
  }
}
