package dev.trtcompat.store;

import dev.trtcompat.errors.UserFacingException;
import java.sql.SQLException;

/** A database call failed; users see that the database is unavailable, the log gets the SQL error. */
public final class DatabaseException extends UserFacingException {

  public DatabaseException(SQLException cause) {
    super(
        Kind.UNAVAILABLE,
        "database_error",
        "The database did not answer as expected; try again, and check the service log if it persists.",
        cause);
  }
}
