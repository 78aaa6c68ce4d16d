package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.errors.UserFacingException.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP status of each kind of failure is the HTTP layer's decision. */
class ErrorStatusTest {

  @ParameterizedTest
  @CsvSource({
    "INVALID_INPUT,422", "BAD_REQUEST,400", "UNAUTHORIZED,401", "FORBIDDEN,403", "NOT_FOUND,404", "TOO_LARGE,413",
    "LIMIT_REACHED,429", "UNAVAILABLE,503", "TIMEOUT,504", "CONFLICT,409", "INSUFFICIENT_STORAGE,507"})
  void eachKindHasItsStatus(Kind kind, int status) {
    assertThat(ErrorMapping.status(kind)).isEqualTo(status);
  }
}
