package dev.trtcompat.check;

import java.util.ArrayList;
import java.util.List;

/** Collects the findings of one release, with node context filled in one place. */
final class Findings {

  final List<Finding> list = new ArrayList<>();

  void node(NodeSite s, Severity sev, String rule, String message, String fix) {
    list.add(new Finding(sev, s.name(), s.topIndex(), s.opKey(), s.path(), rule, message, fix));
  }

  void model(Severity sev, String rule, String message, String fix) {
    list.add(new Finding(sev, null, null, null, null, rule, message, fix));
  }
}
