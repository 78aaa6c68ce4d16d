package dev.trtcompat.onnx;

import dev.trtcompat.errors.UserFacingException;

/**
 * An external-data location that is absolute or leaves the model's folder. Refused outright: following
 * it would let a model file read arbitrary files of the host (a known attack on ONNX loaders).
 */
public final class UnsafeModelPathException extends UserFacingException {

  public UnsafeModelPathException(String detail) {
    super(Kind.INVALID_INPUT, "unsafe_external_data_path", detail);
  }
}
