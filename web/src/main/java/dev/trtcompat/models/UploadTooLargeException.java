package dev.trtcompat.models;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.units.ByteSize;

/** An upload over the configured size limit; whatever was written of it is deleted. */
public final class UploadTooLargeException extends UserFacingException {

  public UploadTooLargeException(long limit) {
    super(
        Kind.TOO_LARGE,
        "upload_too_large",
        "the upload is larger than this server's limit of " + ByteSize.human(limit) + " (" + limit
            + " bytes); ask the operator to raise max-upload (TRT_COMPAT_MAX_UPLOAD)");
  }
}
