package dev.trtcompat.quantize;

/**
 * An option of {@code quantize} and {@code fp16} as each interface spells it: the command line's flag and the
 * service's form field. The checks are written once ({@link OptionException}); each interface names the option the
 * way its caller gave it.
 */
public enum RequestOption {
  SYNTHETIC("--synthetic", "synthetic"),
  PERCENTILE("--percentile", "percentile"),
  EXCLUDE("--exclude", "exclude"),
  KEEP_FP32("--keep-fp32", "exclude"),
  BOXES("--boxes", "boxes"),
  EVAL_SAMPLES("--eval-samples", "evalSamples"),
  THREADS("--threads", "threads"),
  TARGET_ERROR("--target-error", "targetError"),
  BUDGET("--budget", "budget"),
  SENSITIVITY_MODE("--sensitivity-mode", "sensitivity"),
  SIZE("--size", "size"),
  LAYOUT("--layout", "layout"),
  MEAN("--mean", "mean"),
  STD("--std", "std"),
  SCALE("--scale", "scale");

  /** Who reads a message: a person at the command line, or a client of the service's API and forms. */
  public enum Audience {
    COMMAND_LINE,
    SERVICE
  }

  private final String flag;
  private final String field;

  RequestOption(String flag, String field) {
    this.flag = flag;
    this.field = field;
  }

  /** The option's name for {@code audience}: {@code --eval-samples} or {@code evalSamples}. */
  public String in(Audience audience) {
    return audience == Audience.COMMAND_LINE ? flag : field;
  }
}
