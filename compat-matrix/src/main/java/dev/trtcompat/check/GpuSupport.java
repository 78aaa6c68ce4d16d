package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Locale;

/**
 * Whether a release is documented to support the GPU a check was asked for.
 *
 * @param reason one sentence with the documented range, or why it is unknown
 */
public record GpuSupport(Status status, String reason, List<String> sources) {

  public GpuSupport {
    sources = List.copyOf(sources);
  }

  /** supported, unsupported or unknown. */
  public enum Status {
    SUPPORTED,
    UNSUPPORTED,
    UNKNOWN;

    @JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
