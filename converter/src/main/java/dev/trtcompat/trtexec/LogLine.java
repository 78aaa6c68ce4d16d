package dev.trtcompat.trtexec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One console line with its decorations taken off: any number of {@code [MM/DD/YYYY-hh:mm:ss]} stamps
 * (dates are never interpreted: devices with an unset clock print month 00), severity tags in either
 * order ({@code [W] [TRT]} from trtexec, {@code [TRT] [W]} from the Python logger), bare {@code WARNING:}
 * / {@code ERROR:} prefixes of old parsers and a leading {@code file.cpp:123:} source location.
 *
 * @param severity {@code 'I'}, {@code 'W'}, {@code 'E'}, {@code 'V'}, {@code 'F'}, {@code '!'} or
 *     {@code ' '} when the line carries none
 * @param indented the message started with two or more spaces (a continuation in trtexec output)
 * @param tagged the line had a stamp or a severity tag
 * @param fromTensorRt the line carried TensorRT's own {@code [TRT]} tag
 */
record LogLine(char severity, String message, boolean indented, boolean tagged, boolean fromTensorRt) {

  private static final Pattern STAMP = Pattern.compile("^\\[\\d{1,2}/\\d{1,2}/\\d{2,4}-\\d{1,2}:\\d{2}:\\d{2}\\]\\s*");
  private static final Pattern TAG = Pattern.compile("^\\[(I|W|E|V|F|!|TRT|TRT-\\w+)\\]( *)");
  private static final Pattern SOURCE =
      Pattern.compile("^(?:[\\w.\\-]*/)*[\\w.\\-]+\\.(?:cpp|cc|cu|cxx|hpp|h):\\d+:\\s*");

  static LogLine of(String raw) {
    String s = raw;
    char severity = ' ';
    boolean tagged = false;
    boolean trt = false;
    String spacesAfterTag = "";
    boolean progress = true;
    while (progress) {
      progress = false;
      Matcher m = STAMP.matcher(s);
      if (m.find()) {
        s = s.substring(m.end());
        tagged = true;
        progress = true;
        continue;
      }
      m = TAG.matcher(s);
      if (m.find()) {
        String t = m.group(1);
        if (t.length() == 1) {
          severity = t.charAt(0);
        } else {
          trt = true;
        }
        spacesAfterTag = m.group(2);
        s = s.substring(m.end());
        tagged = true;
        progress = true;
      }
    }
    boolean indented = tagged && spacesAfterTag.length() >= 2;
    if (!tagged) {
      // Old parsers and Polygraphy continuation lines: keep indentation out of the message.
      s = s.strip();
    }
    if (s.startsWith("WARNING: ")) {
      severity = 'W';
      s = s.substring("WARNING: ".length());
    }
    Matcher src = SOURCE.matcher(s);
    if (src.find()) {
      s = s.substring(src.end());
    }
    return new LogLine(severity, s.strip(), indented, tagged, trt);
  }
}
