package dev.trtcompat.http.upload;

import java.io.IOException;

/**
 * A multipart body that cannot be parsed; the message says what is wrong with it, for the user. An
 * {@link IOException}, so it passes through the streams that copy a part's body unchanged.
 */
public final class MultipartException extends IOException {

  public MultipartException(String message) {
    super(message);
  }
}
