package dev.trtcompat.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into records keyed by the header line, for tests. */
public final class Csv {

  private Csv() {}

  public static List<Map<String, String>> records(String text) {
    List<List<String>> lines = lines(text);
    List<String> header = lines.get(0);
    List<Map<String, String>> out = new ArrayList<>();
    for (List<String> line : lines.subList(1, lines.size())) {
      if (line.size() != header.size()) {
        throw new IllegalArgumentException("record has " + line.size() + " fields, header " + header.size());
      }
      Map<String, String> r = new LinkedHashMap<>();
      for (int i = 0; i < header.size(); i++) {
        r.put(header.get(i), line.get(i));
      }
      out.add(r);
    }
    return out;
  }

  static List<List<String>> lines(String text) {
    List<List<String>> out = new ArrayList<>();
    List<String> line = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        line.add(field.toString());
        field.setLength(0);
      } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
        line.add(field.toString());
        field.setLength(0);
        out.add(line);
        line = new ArrayList<>();
        i++;
      } else {
        field.append(c);
      }
    }
    if (field.length() > 0 || !line.isEmpty()) {
      line.add(field.toString());
      out.add(line);
    }
    return out;
  }
}
