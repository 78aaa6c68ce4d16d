package dev.trtcompat.trtexec;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines with a cap on line length, so a log without newlines (or binary data) cannot make the
 * parser hold an arbitrarily long string. The part of a line past the cap is skipped, not kept.
 */
final class BoundedLineReader {

  static final int DEFAULT_MAX_LINE_CHARS = 16 * 1024;

  private final Reader reader;
  private final int maxLineChars;
  private final char[] buffer = new char[8192];
  private int pos;
  private int limit;
  private long truncatedLines;
  private boolean eof;

  BoundedLineReader(Reader reader, int maxLineChars) {
    this.reader = reader;
    this.maxLineChars = maxLineChars;
  }

  /** The next line without its terminator ({@code \n}, {@code \r\n} or {@code \r}), or null at the end. */
  String readLine() throws IOException {
    StringBuilder line = null;
    boolean truncated = false;
    while (true) {
      if (pos >= limit) {
        if (eof || !fill()) {
          if (line == null) {
            return null;
          }
          break;
        }
      }
      if (line == null) {
        line = new StringBuilder(128);
      }
      char c = buffer[pos++];
      if (c == '\n') {
        break;
      }
      if (c == '\r') {
        if (pos >= limit && !eof) {
          fill();
        }
        if (pos < limit && buffer[pos] == '\n') {
          pos++;
        }
        break;
      }
      if (line.length() < maxLineChars) {
        line.append(c);
      } else {
        truncated = true;
      }
    }
    if (truncated) {
      truncatedLines++;
    }
    return line.toString();
  }

  long truncatedLines() {
    return truncatedLines;
  }

  private boolean fill() throws IOException {
    int n = reader.read(buffer, 0, buffer.length);
    if (n <= 0) {
      eof = true;
      pos = 0;
      limit = 0;
      return false;
    }
    pos = 0;
    limit = n;
    return true;
  }
}
