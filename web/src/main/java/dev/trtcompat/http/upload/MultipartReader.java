package dev.trtcompat.http.upload;

import dev.trtcompat.models.UploadTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a {@code multipart/form-data} body part by part, straight from the request stream, over one large buffer.
 * The boundary is found with a Boyer-Moore-Horspool scan (it looks at about one byte in every delimiter's length
 * of file content, and compares candidates with {@link Arrays#equals(byte[], int, int, byte[], int, int)}), so the
 * cost per byte is one copy out of the buffer; commons-fileupload, which this replaces on the model upload route,
 * looked at every byte through a 4 KiB buffer and was most of an upload's CPU time (docs/benchmarks.md).
 *
 * <p>Strict where ambiguity could change bytes: delimiters are {@code CRLF--boundary} (RFC 2046), and a body that
 * ends before the closing delimiter is an error, never a shorter file. Header lines may end in LF alone.
 */
public final class MultipartReader {

  /** Read buffer: large, so the request stream is read in big slices and the scan runs over long stretches. */
  public static final int BUFFER = 1 << 20;

  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int MAX_BOUNDARY = 70; // RFC 2046

  /** What a part's headers say about it; {@code fileName} is null for a text field. */
  public record PartHeaders(String fieldName, String fileName, String contentType) {}

  private final InputStream in;
  private final long maxBytes;
  private final byte[] delimiter; // CRLF--boundary
  private final int[] skip = new int[256];
  private final byte[] buf;
  private int pos;
  private int limit;
  private boolean eof;
  private long received;
  /** Where the current part's body ends in {@link #buf} (the delimiter's start), or -1 while not yet found. */
  private int delimiterAt = -1;
  /** No delimiter starts before this index of {@link #buf} (from {@link #pos} on). */
  private int scannedTo;
  private PartBody current;
  private boolean finished;

  /**
   * @param maxBytes the most bytes read from {@code in}; one more is {@link UploadTooLargeException}
   * @param bufferSize at least a few delimiters long; a header line must fit in it
   */
  public MultipartReader(InputStream in, String boundary, long maxBytes, int bufferSize) throws MultipartException {
    if (boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
      throw new MultipartException("the multipart boundary must have 1 to " + MAX_BOUNDARY + " characters");
    }
    this.in = in;
    this.maxBytes = maxBytes;
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    int m = delimiter.length;
    this.buf = new byte[Math.max(bufferSize, 4 * m)];
    Arrays.fill(skip, m);
    for (int i = 0; i < m - 1; i++) {
      skip[delimiter[i] & 0xff] = m - 1 - i;
    }
    // The first delimiter may open the body without a CRLF before it: pretend there was one.
    buf[0] = '\r';
    buf[1] = '\n';
    limit = 2;
  }

  public MultipartReader(InputStream in, String boundary, long maxBytes) throws MultipartException {
    this(in, boundary, maxBytes, BUFFER);
  }

  /** The {@code boundary} parameter of a {@code multipart/...} content type, quoted or not. */
  public static Optional<String> boundary(String contentType) {
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
      return Optional.empty();
    }
    return HeaderParams.param(contentType, "boundary").filter(b -> !b.isEmpty());
  }

  /** Bytes read from the request stream so far. */
  public long received() {
    return received;
  }

  /**
   * The next part, its body readable from {@link Part#body()} until the next {@code next()} call; empty after the
   * closing delimiter. What is left unread of the previous part is skipped.
   */
  public Optional<Part> next() throws IOException {
    if (finished) {
      return Optional.empty();
    }
    if (current != null) {
      current.skipRest();
    } else {
      skipPreamble();
    }
    // At the delimiter: consume it, then "--" closes the body, anything else is padding up to a CRLF.
    pos = delimiterAt + delimiter.length;
    delimiterAt = -1;
    require(2);
    if (buf[pos] == '-' && buf[pos + 1] == '-') {
      finished = true;
      current = null;
      return Optional.empty(); // the epilogue is not read
    }
    String rest = line();
    if (!rest.isBlank()) {
      throw new MultipartException("unexpected characters after a boundary");
    }
    PartHeaders headers = headers();
    scannedTo = pos;
    current = new PartBody();
    return Optional.of(new Part(headers, current));
  }

  /** One part: its headers and a stream of its body. */
  public record Part(PartHeaders headers, InputStream body) {}

  private void skipPreamble() throws IOException {
    scannedTo = 0;
    while (true) {
      int safe = scan();
      if (delimiterAt >= 0) {
        return;
      }
      pos = safe;
      if (!fill()) {
        throw new MultipartException("the body has no multipart boundary");
      }
    }
  }

  private PartHeaders headers() throws IOException {
    String disposition = null;
    String type = null;
    int total = 0;
    for (String line = line(); !line.isEmpty(); line = line()) {
      total += line.length();
      if (total > MAX_HEADER_BYTES) {
        throw new MultipartException("a part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new MultipartException("a part header line has no name");
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-disposition" -> disposition = value;
        case "content-type" -> type = value;
        default -> { }
      }
    }
    if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
      return new PartHeaders(null, null, type);
    }
    return new PartHeaders(
        HeaderParams.param(disposition, "name").orElse(null), HeaderParams.param(disposition, "filename").orElse(null), type);
  }

  /** One header line, without its CRLF or LF, read as UTF-8 (what browsers send file names in). */
  private String line() throws IOException {
    int at = 0; // from pos, which fill may move
    while (true) {
      if (pos + at >= limit) {
        if (limit - pos == buf.length) {
          throw new MultipartException("a part header line is longer than the read buffer");
        }
        if (!fill()) {
          throw new MultipartException("the body ended inside a part's headers");
        }
        continue;
      }
      int i = pos + at;
      if (buf[i] == '\n') {
        int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
        String line = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
        pos = i + 1;
        return line;
      }
      if (at > MAX_HEADER_BYTES) {
        throw new MultipartException("a part header line is longer than " + MAX_HEADER_BYTES + " bytes");
      }
      at++;
    }
  }

  /** Makes at least {@code n} unread bytes available. */
  private void require(int n) throws IOException {
    while (limit - pos < n) {
      if (!fill()) {
        throw new MultipartException("the body ended right after a boundary");
      }
    }
  }

  /**
   * Searches for the delimiter from {@link #scannedTo}; sets {@link #delimiterAt} when found. Returns the end of
   * the bytes known to be content (the delimiter's start, or the first position where one could still begin).
   */
  private int scan() {
    if (delimiterAt >= 0) {
      return delimiterAt;
    }
    int m = delimiter.length;
    byte last = delimiter[m - 1];
    int i = Math.max(scannedTo, pos);
    while (i + m <= limit) {
      byte b = buf[i + m - 1];
      if (b == last && Arrays.equals(buf, i, i + m - 1, delimiter, 0, m - 1)) {
        delimiterAt = i;
        return i;
      }
      i += skip[b & 0xff];
    }
    scannedTo = i;
    return i;
  }

  /**
   * Reads more of the request into the buffer, first moving the unread bytes to its start when it is full.
   * Returns false at the end of the request.
   */
  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    if (limit == buf.length) {
      int keep = limit - pos;
      System.arraycopy(buf, pos, buf, 0, keep);
      scannedTo = Math.max(0, scannedTo - pos);
      if (delimiterAt >= 0) {
        delimiterAt -= pos;
      }
      pos = 0;
      limit = keep;
      if (limit == buf.length) {
        throw new MultipartException("a part's headers do not fit in the read buffer");
      }
    }
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
      return false;
    }
    received += n;
    if (received > maxBytes) {
      throw new UploadTooLargeException(maxBytes);
    }
    limit += n;
    return true;
  }

  /** The current part's body: what lies before the next delimiter. */
  private final class PartBody extends InputStream {

    private boolean done;

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (done || current != this) {
        return -1;
      }
      int end;
      while ((end = scan()) == pos) {
        if (delimiterAt >= 0) {
          done = true;
          return -1;
        }
        if (!fill()) {
          throw new MultipartException("the body ended before the closing boundary");
        }
      }
      int n = Math.min(len, end - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int available() {
      if (done || current != this) {
        return 0;
      }
      return Math.max(0, (delimiterAt >= 0 ? delimiterAt : scannedTo) - pos);
    }

    void skipRest() throws IOException {
      while (!done) {
        int end = scan();
        pos = end;
        if (delimiterAt >= 0) {
          done = true;
        } else if (!fill()) {
          throw new MultipartException("the body ended before the closing boundary");
        }
      }
    }
  }
}
