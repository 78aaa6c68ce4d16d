package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The answer for one TensorRT release. */
public enum Verdict {
  /** Every node and model-level rule passed. */
  COMPATIBLE,
  /** Parses, with warnings (dynamic shapes need profiles, INT64 cast down, experimental ops). */
  COMPATIBLE_WITH_WARNINGS,
  /** At least one rule the parser enforces fails. */
  INCOMPATIBLE,
  /** No rule failed, but a fact needed to decide is not known for this release (never a silent pass). */
  UNKNOWN;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the release is expected to build the model (with or without warnings). */
  public boolean accepts() {
    return this == COMPATIBLE || this == COMPATIBLE_WITH_WARNINGS;
  }
}
