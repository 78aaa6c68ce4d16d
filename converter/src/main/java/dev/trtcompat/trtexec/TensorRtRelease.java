package dev.trtcompat.trtexec;

import dev.trtcompat.errors.UserFacingException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A TensorRT release line, MAJOR.MINOR (patch levels do not change trtexec's flags). */
public record TensorRtRelease(int major, int minor) implements Comparable<TensorRtRelease> {

  /** The oldest release whose trtexec this project knows: 6.0 added explicit batch and dynamic shapes. */
  public static final TensorRtRelease OLDEST = new TensorRtRelease(6, 0);

  private static final Pattern FORM = Pattern.compile("^v?(\\d{1,2})\\.(\\d{1,2})(?:\\.\\d+){0,2}$");

  public TensorRtRelease {
    if (major < 0 || minor < 0) {
      throw new IllegalArgumentException("negative release number");
    }
  }

  /** Parses "8.6", "10.3", "8.6.1" or "10.16.1.4". */
  public static TensorRtRelease parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new UserFacingException(
          UserFacingException.Kind.BAD_REQUEST,
          "invalid_tensorrt_release",
          "'" + text + "' is not a TensorRT release; write MAJOR.MINOR, for example 8.6 or 10.3.");
    }
    return new TensorRtRelease(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  public static TensorRtRelease of(int major, int minor) {
    return new TensorRtRelease(major, minor);
  }

  public boolean atLeast(int major, int minor) {
    return compareTo(new TensorRtRelease(major, minor)) >= 0;
  }

  public boolean before(int major, int minor) {
    return !atLeast(major, minor);
  }

  @Override
  public int compareTo(TensorRtRelease o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
