package dev.trtcompat.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.quantize.RequestOption.Audience;
import java.util.function.Function;

/**
 * A bad value of a {@link RequestOption}: one check, its message written for either audience. The detail names the
 * command line's flags; {@link #toService()} restates it with the service's form fields, where a request reached the
 * check over HTTP.
 */
public final class OptionException extends UserFacingException {

  private static final long serialVersionUID = 1L;

  private final transient Function<Audience, String> message;

  /** @param message the detail for an audience, naming options with {@link RequestOption#in} */
  public OptionException(String error, Function<Audience, String> message) {
    super(Kind.BAD_REQUEST, error, message.apply(Audience.COMMAND_LINE));
    this.message = message;
  }

  /** A bad request whose detail is {@code option} (in the audience's words) followed by {@code rest}. */
  public static OptionException of(String error, RequestOption option, String rest) {
    return new OptionException(error, a -> option.in(a) + rest);
  }

  /** The same failure said to a client of the service: form fields instead of command-line flags. */
  public UserFacingException toService() {
    return new UserFacingException(kind(), error(), message.apply(Audience.SERVICE), this);
  }
}
