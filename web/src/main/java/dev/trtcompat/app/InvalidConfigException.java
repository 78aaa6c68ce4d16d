package dev.trtcompat.app;

import dev.trtcompat.errors.UserFacingException;

/** A configuration value (flag, environment variable or file entry) that cannot be used; names its source. */
public final class InvalidConfigException extends UserFacingException {

  public InvalidConfigException(String detail) {
    super(Kind.BAD_REQUEST, "invalid_configuration", detail);
  }
}
