package dev.trtcompat.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Chooses how much the process logs, once, before anything creates a logger: slf4j-simple reads its
 * settings when the first logger is made. {@code serve} keeps the service's log; a one-shot command logs
 * nothing unless {@code --verbose} is given, so a failure reads as its one {@code error:} line and not as a
 * library's stack trace in front of it.
 */
final class CliLogging {

  static final String LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";

  private CliLogging() {}

  static void configure(ParseResult parsed) {
    if (System.getProperty(LEVEL_PROPERTY) != null) {
      return; // set on the java command line: that wins
    }
    List<CommandLine> chain = parsed.asCommandLineList();
    String command = chain.get(chain.size() - 1).getCommandName();
    boolean verbose = false;
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      verbose |= p.hasMatchedOption(VerboseOption.NAME);
    }
    if (!verbose && !command.equals("serve")) {
      System.setProperty(LEVEL_PROPERTY, "off");
    }
  }
}
