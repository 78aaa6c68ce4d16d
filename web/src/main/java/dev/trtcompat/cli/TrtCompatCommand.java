package dev.trtcompat.cli;

import dev.trtcompat.errors.UserFacingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code trt-compat} command line: one class per subcommand, errors mapped here only.
 *
 * <p>Exit codes: 0 success; 1 the command ran and found the model incompatible or the run failed; 2 bad
 * input or usage; 3 a dependency is unavailable (Docker, image, GPU runtime) or the disk is full; 4 timeout; 5 limit
 * reached; 6 check found no accepting release but an unknown verdict; 70 internal error (details in the log).
 *
 * <p>Logging: {@code serve} logs as a service does. Every other command is one-shot and prints only its own
 * lines; library logs (docker-java's callback errors, for one) appear only with {@code --verbose}
 * ({@link VerboseOption}).
 */
@Command(
    name = "trt-compat",
    mixinStandardHelpOptions = true,
    versionProvider = TrtCompatCommand.Version.class,
    description = "Will this ONNX model convert to TensorRT? Inspect, check, convert and compare.",
    subcommands = {
      InspectCommand.class,
      CheckCommand.class,
      ServeCommand.class,
      ExplainLogCommand.class,
      RunCommand.class,
      ConvertCommand.class,
      QuantizeCommand.class,
      Fp16Command.class,
      CompareCommand.class,
      FixCommand.class,
    })
public final class TrtCompatCommand implements Runnable {

  public static final int EXIT_INTERNAL = 70;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    CommandLine cl = newCommandLine();
    cl.setExecutionStrategy(
        parsed -> {
          CliLogging.configure(parsed);
          return new CommandLine.RunLast().execute(parsed);
        });
    System.exit(cl.execute(args));
  }

  /** Builds the command line with the one error mapping every subcommand shares. */
  public static CommandLine newCommandLine() {
    CommandLine cl = new CommandLine(new TrtCompatCommand());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof UserFacingException u) {
            err.println("error: " + u.detail());
            err.flush();
            return exitCode(u.kind());
          }
          err.println("error: internal error (" + ex.getClass().getSimpleName() + ")" + crashReport(ex));
          err.flush();
          return EXIT_INTERNAL;
        });
    return cl;
  }

  /** The exit code of each kind of user-facing failure (the list in this class's comment): decided here only. */
  static int exitCode(UserFacingException.Kind kind) {
    return switch (kind) {
      case INVALID_INPUT, BAD_REQUEST, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, TOO_LARGE, CONFLICT -> 2;
      case UNAVAILABLE, INSUFFICIENT_STORAGE -> 3;
      case TIMEOUT -> 4;
      case LIMIT_REACHED -> 5;
    };
  }

  /**
   * Writes the stack trace of an unexpected failure to a file and says where, so the user sees one line
   * and a developer still gets the whole trace.
   */
  static String crashReport(Throwable ex) {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("trt-compat-crash-", ".log");
      try (PrintWriter w = new PrintWriter(java.nio.file.Files.newBufferedWriter(file))) {
        ex.printStackTrace(w);
      }
      return "; details in " + file;
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = TrtCompatCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"trt-compat " + p.getProperty("version", "unknown")};
    }
  }
}
