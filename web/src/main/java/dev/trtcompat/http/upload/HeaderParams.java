package dev.trtcompat.http.upload;

import java.util.Locale;
import java.util.Optional;

/**
 * The parameters of a header value such as {@code form-data; name="model"; filename="m.onnx"} or a content type's
 * {@code boundary}. Quoted values keep a backslash as it is, as HTML forms send Windows paths, but a backslash
 * before a quote does not end the value (curl's escape of a quote in a file name).
 */
final class HeaderParams {

  private HeaderParams() {}

  /** The value of parameter {@code name} (case-insensitive), unquoted; empty when absent. */
  static Optional<String> param(String header, String name) {
    int i = header.indexOf(';');
    while (i >= 0 && i < header.length()) {
      i++; // past ';'
      int eq = header.indexOf('=', i);
      int semi = header.indexOf(';', i);
      if (eq < 0 || semi >= 0 && semi < eq) {
        i = semi; // a parameter without a value
        continue;
      }
      String key = header.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      int v = eq + 1;
      while (v < header.length() && header.charAt(v) == ' ') {
        v++;
      }
      String value;
      int next;
      if (v < header.length() && header.charAt(v) == '"') {
        int end = v + 1;
        while (end < header.length() && header.charAt(end) != '"') {
          end += header.charAt(end) == '\\' && end + 1 < header.length() ? 2 : 1;
        }
        value = header.substring(v + 1, Math.min(end, header.length())).replace("\\\"", "\"");
        next = header.indexOf(';', Math.min(end + 1, header.length()));
      } else {
        next = header.indexOf(';', v);
        value = header.substring(v, next < 0 ? header.length() : next).trim();
      }
      if (key.equals(name)) {
        return Optional.of(value);
      }
      i = next;
    }
    return Optional.empty();
  }
}
