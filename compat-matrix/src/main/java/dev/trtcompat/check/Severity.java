package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How much a finding matters: an error stops the parse, a warning may change results, info is context. */
public enum Severity {
  ERROR,
  WARNING,
  INFO;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }
}
