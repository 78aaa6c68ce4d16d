package dev.trtcompat.fix;

import java.util.ArrayList;
import java.util.List;

/** Turns per-release verdicts into short lines: "incompatible on 7.0–8.4 → compatible on 7.0–8.4". */
final class VerdictSummary {

  private VerdictSummary() {}

  static List<String> lines(List<FixReport.ReleaseChange> changes) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < changes.size()) {
      FixReport.ReleaseChange c = changes.get(i);
      int j = i;
      while (j + 1 < changes.size() && changes.get(j + 1).before().equals(c.before())
          && changes.get(j + 1).after().equals(c.after())) {
        j++;
      }
      String range = i == j ? c.tensorrt() : c.tensorrt() + "–" + changes.get(j).tensorrt();
      if (c.before().equals(c.after())) {
        out.add(c.before() + " on " + range + " (unchanged)");
      } else {
        out.add(c.before() + " on " + range + " → " + c.after());
      }
      i = j + 1;
    }
    return out;
  }
}
