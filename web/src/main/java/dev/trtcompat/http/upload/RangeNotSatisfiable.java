package dev.trtcompat.http.upload;

import dev.trtcompat.errors.UserFacingException;

/**
 * A chunk that reaches past its file's declared size: answered {@code 416 Range Not Satisfiable} by
 * {@link UploadRoutes} (the shared error mapping has no kind for it; as a kind it is a conflict with the declaration).
 */
final class RangeNotSatisfiable extends UserFacingException {

  static final int STATUS = 416;

  RangeNotSatisfiable(String detail) {
    super(Kind.CONFLICT, "range_not_satisfiable", detail);
  }
}
