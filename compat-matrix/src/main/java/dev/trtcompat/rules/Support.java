package dev.trtcompat.rules;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Whether a release's parser imports an operator: a known yes, a known no, or a fact we do not have. */
public enum Support {
  YES,
  NO,
  UNKNOWN;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  static Support parse(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }
}
