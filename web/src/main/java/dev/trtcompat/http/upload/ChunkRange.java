package dev.trtcompat.http.upload;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a chunk goes in its file: from {@code Content-Range: bytes START-END/TOTAL} (END inclusive, TOTAL the whole
 * file's size or {@code *}) or from {@code ?offset=START} (the chunk then runs to the end of the request body).
 *
 * @param end the last byte's position, or -1 when the chunk runs to the end of the body
 * @param total the whole file's size as the client states it, or -1 when not stated
 */
record ChunkRange(long start, long end, long total) {

  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");
  private static final Pattern OFFSET = Pattern.compile("\\d{1,18}");

  /** Bytes the chunk declares, or -1 when it runs to the end of the body. */
  long length() {
    return end < 0 ? -1 : end - start + 1;
  }

  /**
   * Parses what the request says; at least one of the two must be given, and when both are they must agree.
   *
   * @throws UserFacingException (BAD_REQUEST {@code invalid_content_range}) for anything else
   */
  static ChunkRange of(String contentRange, String offset) {
    ChunkRange fromHeader = null;
    if (contentRange != null && !contentRange.isBlank()) {
      Matcher m = CONTENT_RANGE.matcher(contentRange.trim());
      if (!m.matches()) {
        throw invalid("Content-Range must be 'bytes START-END/TOTAL' (END inclusive, TOTAL the file's size or *), not '"
            + shorten(contentRange) + "'");
      }
      long start = Long.parseLong(m.group(1));
      long end = Long.parseLong(m.group(2));
      if (end < start) {
        throw invalid("Content-Range ends before it starts: '" + shorten(contentRange) + "'");
      }
      fromHeader = new ChunkRange(start, end, m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3)));
    }
    if (offset == null || offset.isBlank()) {
      if (fromHeader == null) {
        throw invalid("say where the chunk goes: a Content-Range header (bytes START-END/TOTAL) or ?offset=START");
      }
      return fromHeader;
    }
    if (!OFFSET.matcher(offset.trim()).matches()) {
      throw invalid("offset must be a whole number from 0, not '" + shorten(offset) + "'");
    }
    long start = Long.parseLong(offset.trim());
    if (fromHeader != null && fromHeader.start() != start) {
      throw invalid("offset=" + start + " and Content-Range (from byte " + fromHeader.start() + ") disagree");
    }
    return fromHeader != null ? fromHeader : new ChunkRange(start, -1, -1);
  }

  private static UserFacingException invalid(String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, "invalid_content_range", detail);
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
