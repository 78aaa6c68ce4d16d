package dev.trtcompat.precision;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Load-time checks: every fact names a known kind, a valid release window and at least one listed source. */
final class FactsValidator {

  /** The quantized element types the checker understands (ONNX names). */
  static final Set<String> QDQ_TYPES = Set.of("INT8", "UINT8", "FLOAT8E4M3FN", "INT4", "FLOAT4E2M1");

  private FactsValidator() {}

  static void validate(String file, QuantizationFacts q) {
    Set<String> ids = sourceIds(file, q.sources());
    Set<String> kinds = new HashSet<>(Arrays.stream(ReleaseFact.Kind.values()).map(ReleaseFact.Kind::wireName).toList());
    for (ReleaseFact f : q.facts()) {
      String where = file + " fact " + f.fact() + " from " + f.from();
      require(kinds.contains(f.fact()), where, "unknown fact kind; known: " + kinds);
      require(Releases.valid(f.from()), where, "from must be MAJOR.MINOR");
      require(f.until() == null || (Releases.valid(f.until()) && Releases.compare(f.from(), f.until()) < 0), where,
          "until must be a later MAJOR.MINOR or null");
      sourcesKnown(where, f.sources(), ids);
      if (f.is(ReleaseFact.Kind.BUILD_PRECISION)) {
        require(Precision.find(f.precision()).map(Precision.COLUMNS::contains).orElse(false), where,
            "build_precision needs precision fp32, fp16 or int8");
      }
      if (f.is(ReleaseFact.Kind.QDQ_TYPE)) {
        require(QDQ_TYPES.contains(f.type()), where, "qdq_type needs one of " + QDQ_TYPES);
      }
      for (String op : f.ops()) {
        require(op.equals("QuantizeLinear") || op.equals("DequantizeLinear"), where, "ops are Q/DQ operators");
      }
    }
  }

  static void validate(String file, GpuFacts g) {
    Set<String> ids = sourceIds(file, g.sources());
    Set<ComputeCapability> seen = new HashSet<>();
    for (GpuFacts.Architecture a : g.architectures()) {
      String where = file + " architecture " + a.sm();
      require(a.sm() != null && seen.add(a.sm()), where, "compute capability missing or listed twice");
      require(a.family() != null && !a.family().isBlank(), where, "family missing");
      sourcesKnown(where, a.sources(), ids);
    }
    for (GpuFacts.ReleaseSupport r : g.releaseSupport()) {
      String where = file + " releaseSupport " + r.release();
      require(Releases.valid(r.release()), where, "release must be MAJOR.MINOR");
      require(r.minSm() != null && r.newestListedSm() != null && r.newestListedSm().atLeast(r.minSm()), where,
          "minSm and newestListedSm required, newest >= min");
      sourcesKnown(where, r.sources(), ids);
    }
    Set<String> names = new HashSet<>();
    for (GpuFacts.GpuName n : g.gpus()) {
      String where = file + " gpu " + n.name();
      require(n.name() != null && n.sm() != null, where, "name and sm required");
      for (String s : concat(n.name(), n.aliases())) {
        require(names.add(s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "")), where,
            "name or alias '" + s + "' used twice");
        require(ComputeCapability.find(s).isEmpty(), where, "a name must not read as a compute capability: " + s);
      }
      sourcesKnown(where, n.sources(), ids);
    }
  }

  private static List<String> concat(String first, List<String> rest) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(rest);
    all.add(first);
    return all;
  }

  private static Set<String> sourceIds(String file, List<FactSource> sources) {
    require(!sources.isEmpty(), file, "sources missing");
    Set<String> ids = new HashSet<>();
    for (FactSource s : sources) {
      require(s.id() != null && ids.add(s.id()), file, "source id missing or repeated: " + s.id());
      require(s.url() != null && s.url().matches("https?://\\S+"), file, "source " + s.id() + " needs a URL");
      require(s.what() != null && !s.what().isBlank(), file, "source " + s.id() + " needs a description");
    }
    return ids;
  }

  private static void sourcesKnown(String where, List<String> used, Set<String> ids) {
    require(!used.isEmpty(), where, "every fact needs at least one source");
    for (String id : used) {
      require(ids.contains(id), where, "unknown source id " + id);
    }
  }

  private static void require(boolean ok, String where, String what) {
    if (!ok) {
      throw new IllegalStateException("precision facts " + where + ": " + what);
    }
  }
}
