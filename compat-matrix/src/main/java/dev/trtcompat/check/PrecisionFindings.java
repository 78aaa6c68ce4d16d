package dev.trtcompat.check;

import dev.trtcompat.precision.QuantizationFacts;
import dev.trtcompat.precision.ReleaseFact;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Findings of one precision column with the sources behind them. */
final class PrecisionFindings {

  final List<Finding> list = new ArrayList<>();
  final Set<String> sources = new LinkedHashSet<>();
  private final QuantizationFacts facts;

  PrecisionFindings(QuantizationFacts facts) {
    this.facts = facts;
  }

  void node(NodeSite s, Severity sev, String rule, String message, String fix, ReleaseFact source) {
    list.add(new Finding(sev, s.name(), s.topIndex(), s.opKey(), s.path(), rule, message, fix));
    cite(source);
  }

  void model(Severity sev, String rule, String message, String fix, ReleaseFact source) {
    list.add(new Finding(sev, null, null, null, null, rule, message, fix));
    cite(source);
  }

  void cite(ReleaseFact f) {
    if (f != null) {
      for (String url : facts.cite(f).split(" ")) {
        sources.add(url);
      }
    }
  }

  void cite(String url) {
    if (url != null) {
      sources.add(url);
    }
  }

  void addAll(PrecisionFindings other) {
    list.addAll(other.list);
    sources.addAll(other.sources);
  }
}
