package dev.trtcompat.units;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts as people write them in configuration: {@code 4GiB}, {@code 512 MiB}, {@code 10MB}, {@code 1048576}. */
public final class ByteSize {

  private static final Pattern FORM = Pattern.compile("\\s*(\\d{1,19})\\s*([A-Za-z]*)\\s*");

  private ByteSize() {}

  /**
   * Parses a size. Binary units (KiB, MiB, GiB, TiB) are powers of 1024, decimal ones (KB, MB, GB, TB)
   * powers of 1000; a bare number or {@code B} is bytes. Units are case-insensitive.
   *
   * @throws IllegalArgumentException with a message fit for the user when the text is not a size
   */
  public static long parse(String text) {
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 4GiB, 512MiB or 1000000");
    }
    long number;
    try {
      number = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
    long unit =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "", "b" -> 1L;
          case "kib" -> 1L << 10;
          case "mib" -> 1L << 20;
          case "gib" -> 1L << 30;
          case "tib" -> 1L << 40;
          case "kb" -> 1_000L;
          case "mb" -> 1_000_000L;
          case "gb" -> 1_000_000_000L;
          case "tb" -> 1_000_000_000_000L;
          default -> throw new IllegalArgumentException(
              "'" + text + "' has an unknown unit '" + m.group(2) + "'; use B, KiB, MiB, GiB, TiB, KB, MB, GB or TB");
        };
    try {
      return Math.multiplyExact(number, unit);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
  }

  /** A size for people: {@code 1023 B}, {@code 1.5 MiB}, {@code 4 GiB}. */
  public static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    String number = String.format(Locale.ROOT, "%.1f", v);
    if (number.endsWith(".0")) {
      number = number.substring(0, number.length() - 2);
    }
    return number + " " + units[u];
  }
}
