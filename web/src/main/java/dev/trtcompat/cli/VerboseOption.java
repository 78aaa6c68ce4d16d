package dev.trtcompat.cli;

import picocli.CommandLine.Option;

/**
 * {@code --verbose} for the one-shot commands that drive libraries with logs of their own (docker-java, ONNX
 * Runtime): read by {@link CliLogging} before the command runs.
 */
final class VerboseOption {

  static final String NAME = "--verbose";

  @Option(names = NAME, description = "Also print the log lines of the libraries used (Docker client, ...).")
  boolean verbose;
}
