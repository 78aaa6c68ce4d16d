package dev.trtcompat.precision;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A CUDA compute capability such as 8.9, written {@code sm_89} on the command line and in CUDA's own flags. */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {

  private static final Pattern DOTTED = Pattern.compile("(\\d{1,2})\\.(\\d)");
  private static final Pattern SM = Pattern.compile("(?i)(?:sm_?|compute_?)?(\\d{1,2})(\\d)");

  public ComputeCapability {
    if (major < 1 || minor < 0 || minor > 9) {
      throw new IllegalArgumentException("not a compute capability: " + major + "." + minor);
    }
  }

  /** Reads {@code 8.9}, {@code sm_89}, {@code sm89} or {@code 89}; empty for anything else. */
  public static Optional<ComputeCapability> find(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String t = text.strip();
    Matcher m = DOTTED.matcher(t);
    if (!m.matches()) {
      m = SM.matcher(t);
      if (!m.matches()) {
        return Optional.empty();
      }
    }
    int major = Integer.parseInt(m.group(1));
    return major == 0 ? Optional.empty() : Optional.of(new ComputeCapability(major, Integer.parseInt(m.group(2))));
  }

  @JsonCreator
  static ComputeCapability parse(String text) {
    return find(text).orElseThrow(() -> new IllegalArgumentException("not a compute capability: '" + text + "'"));
  }

  /** {@code sm_89}. */
  public String sm() {
    return "sm_" + major + minor;
  }

  @JsonValue
  @Override
  public String toString() {
    return major + "." + minor;
  }

  @Override
  public int compareTo(ComputeCapability o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  public boolean atLeast(ComputeCapability o) {
    return compareTo(o) >= 0;
  }
}
