package dev.trtcompat.http.upload;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.models.UploadTooLargeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Supplier;
import org.eclipse.jetty.io.EofException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the multipart routes (model upload, calibration upload, fix request) share once they refuse a body: why reading it failed,
 * and draining what is left so a client still sending sees the answer instead of a reset connection.
 */
public final class RefusedUploads {

  private static final Logger LOG = LoggerFactory.getLogger(RefusedUploads.class);
  /** After refusing an upload, read at most this much of the rest so the client can see the answer. */
  private static final long DRAIN_LIMIT = 16L << 20;

  private RefusedUploads() {}

  /**
   * What the user hears when reading a multipart body failed: the error of an upload over the limit ({@code
   * tooLarge}), a {@link UserFacingException} as it is, a client gone mid-body, a malformed body; the rest of such a
   * refused body is drained. Anything else is a server fault, returned for the caller to throw.
   *
   * @param what the upload, for messages ("the upload", "the calibration upload")
   */
  public static RuntimeException answer(HttpServletRequest req, Exception e, Supplier<UserFacingException> tooLarge,
      String what) {
    RuntimeException answer;
    if (causedBy(e, UploadTooLargeException.class)) {
      answer = tooLarge.get();
    } else if (e instanceof UserFacingException u) {
      answer = u;
    } else if (cutOff(e)) {
      answer = new UserFacingException(Kind.BAD_REQUEST, "upload_interrupted",
          what + " ended before it was complete; send it again", e);
    } else if (e instanceof MultipartException) {
      answer = new UserFacingException(Kind.BAD_REQUEST, "malformed_multipart",
          "the multipart body cannot be parsed: " + oneLine(e.getMessage()), e);
    } else if (e instanceof RuntimeException r) {
      return r;
    } else {
      return new IllegalStateException(what + " failed while writing to the data folder", e);
    }
    discardRest(req);
    return answer;
  }

  /** Whether {@code e} or one of its causes is a {@code type}. */
  public static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the client went away mid-body. Jetty's end-of-stream error can arrive wrapped: closing a part's
   * stream after a failed read rethrows the same exception, which try-with-resources then cannot add to itself
   * and reports as an IllegalArgumentException caused by it.
   */
  private static boolean cutOff(Throwable e) {
    return causedBy(e, EofException.class);
  }

  private static String oneLine(String s) {
    return s == null ? "unexpected end" : s.replaceAll("\\s+", " ");
  }

  /**
   * Reads and drops what is left of a refused request, up to 16 MiB, so that a client still sending sees the
   * error instead of a reset connection. Larger remainders are cut off by closing.
   */
  public static void discardRest(HttpServletRequest req) {
    try {
      InputStream in = req.getInputStream();
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      int n;
      while (total < DRAIN_LIMIT && (n = in.read(buf)) > 0) {
        total += n;
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("could not drain a refused upload", e);
    }
  }
}
