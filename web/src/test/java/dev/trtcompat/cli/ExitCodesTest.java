package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The exit code of each kind of failure is the CLI's decision, as its documentation lists them. */
class ExitCodesTest {

  @ParameterizedTest
  @CsvSource({
    "INVALID_INPUT,2", "BAD_REQUEST,2", "UNAUTHORIZED,2", "FORBIDDEN,2", "NOT_FOUND,2", "TOO_LARGE,2", "CONFLICT,2",
    "UNAVAILABLE,3", "INSUFFICIENT_STORAGE,3", "TIMEOUT,4", "LIMIT_REACHED,5"})
  void eachKindHasItsDocumentedExitCode(Kind kind, int code) {
    assertThat(TrtCompatCommand.exitCode(kind)).isEqualTo(code);
  }

  @Command(name = "unavailable")
  static final class Unavailable implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new UserFacingException(Kind.UNAVAILABLE, "docker_unavailable", "Docker is not running.");
    }
  }

  @Test
  void aUserFacingFailureIsOneLineAndItsKindsExitCode() {
    CommandLine cl = TrtCompatCommand.newCommandLine();
    cl.addSubcommand("unavailable", new Unavailable());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));

    assertThat(cl.execute("unavailable")).isEqualTo(3);
    assertThat(err.toString()).isEqualTo("error: Docker is not running." + System.lineSeparator());
  }
}
