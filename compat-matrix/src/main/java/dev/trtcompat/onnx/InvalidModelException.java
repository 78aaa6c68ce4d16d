package dev.trtcompat.onnx;

import dev.trtcompat.errors.UserFacingException;

/** The file is not a readable ONNX model: empty, truncated, not protobuf, or not a ModelProto. */
public final class InvalidModelException extends UserFacingException {

  public InvalidModelException(String detail) {
    super(Kind.INVALID_INPUT, "invalid_model", detail);
  }

  public InvalidModelException(String detail, Throwable cause) {
    super(Kind.INVALID_INPUT, "invalid_model", detail, cause);
  }
}
