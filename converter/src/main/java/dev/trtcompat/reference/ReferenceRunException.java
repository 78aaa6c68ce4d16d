package dev.trtcompat.reference;

import dev.trtcompat.errors.UserFacingException;

/** ONNX Runtime could not load or run the model; the message carries ONNX Runtime's own reason. */
public final class ReferenceRunException extends UserFacingException {

  public ReferenceRunException(Kind kind, String error, String detail, Throwable cause) {
    super(kind, error, oneLine(detail), cause);
  }

  /** ONNX Runtime's messages may span lines; users get one. */
  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
