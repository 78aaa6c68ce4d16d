package dev.trtcompat.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

class InternalErrorTest {

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new IllegalStateException("a bug, not the user's fault");
    }
  }

  @Test
  void anUnexpectedFailureIsOneLineWithTheTraceInAFile() throws Exception {
    CommandLine cl = TrtCompatCommand.newCommandLine();
    cl.addSubcommand("boom", new Boom());
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));

    int code = cl.execute("boom");

    assertThat(code).isEqualTo(TrtCompatCommand.EXIT_INTERNAL);
    String text = err.toString().strip();
    assertThat(text.lines()).hasSize(1);
    assertThat(text).startsWith("error: internal error (IllegalStateException); details in ");
    assertThat(text).doesNotContain("\tat ");
    Path report = Path.of(text.substring(text.indexOf("details in ") + "details in ".length()));
    try {
      assertThat(Files.readString(report)).contains("a bug, not the user's fault", "Boom.call");
    } finally {
      Files.deleteIfExists(report);
    }
  }
}
