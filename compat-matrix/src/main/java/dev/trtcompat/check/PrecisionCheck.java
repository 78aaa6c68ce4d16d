package dev.trtcompat.check;

import dev.trtcompat.precision.GpuFacts;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.precision.PrecisionFacts;
import dev.trtcompat.precision.QuantizationFacts;
import dev.trtcompat.precision.ReleaseFact;
import dev.trtcompat.precision.ReleaseFact.Kind;
import dev.trtcompat.rules.OperatorRule;
import dev.trtcompat.rules.ReleaseRules;
import dev.trtcompat.rules.Source;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What building in FP32, FP16 or INT8 adds to a release's parse verdict, for any GPU: layers whose operator
 * table lists no FP16 (or INT8) type fall back to a wider type, INT8 without Q/DQ nodes runs on placeholder
 * scales, and a Q/DQ model meets the release's explicit-quantization rules ({@link QdqRules}). GPU limits are
 * applied afterwards by {@link GpuFilter}, so a report can be filtered for a GPU without the model.
 */
final class PrecisionCheck {

  /** Node names listed per fallback finding; the count says how many more. */
  static final int NAMED_NODES = 5;

  static final String PLACEHOLDER = "placeholder scales: the timings are real, the accuracy is meaningless";

  private final PrecisionFacts facts;

  PrecisionCheck(PrecisionFacts facts) {
    this.facts = facts;
  }

  Map<String, PrecisionResult> check(ReleaseRules rel, ModelIndex ix, QdqIndex qdq, ReleaseResult parse) {
    QuantizationFacts q = facts.quantization();
    String release = rel.release();
    PrecisionFindings common = new PrecisionFindings(q);
    if (qdq.present()) {
      new QdqRules(q, release, ix, qdq, parse.findings(), common).check();
    }
    boolean explicit = qdq.present() && !q.holds(release, Kind.QDQ_AS_SCALE_LAYER);
    Fallbacks fallbacks = fallbacks(rel, ix, !explicit);
    Map<String, PrecisionResult> out = new LinkedHashMap<>();
    for (Precision p : Precision.COLUMNS) {
      PrecisionFindings col = new PrecisionFindings(q);
      col.addAll(common);
      ReleaseFact offered = q.buildPrecision(release, p).orElse(null);
      if (offered == null) {
        col.model(Severity.ERROR, "precision.not_offered", "trtexec of TensorRT " + release + " has no "
            + p.wireName() + " build", "pick another precision or release", null);
      } else {
        col.cite(offered);
      }
      if (p == Precision.FP16) {
        report(rel, col, fallbacks.fp16, "FP16", "FP32");
      } else if (p == Precision.INT8) {
        if (!explicit) {
          ReleaseFact f = q.find(release, Kind.EXPLICIT_QUANTIZATION, null).orElse(null);
          col.model(Severity.WARNING, "int8.placeholder_scales",
              "INT8 without Q/DQ nodes or a calibration cache: " + PLACEHOLDER
                  + " (trtexec --int8 sets dummy dynamic ranges)",
              "for meaningful INT8 accuracy, quantize the model (Q/DQ nodes, e.g. with TensorRT Model Optimizer) "
                  + "or build with a calibration cache (--calib)", f);
          report(rel, col, fallbacks.int8, "INT8", "FP16/FP32");
        }
      }
      out.put(p.wireName(), PrecisionResult.of(parse.verdict(), col.list, assumes(p, qdq),
          new ArrayList<>(col.sources)));
    }
    return out;
  }

  /** Nodes per operator whose type list has FLOAT but not FLOAT16 (fp16) or not INT8 (int8), in model order. */
  private record Fallbacks(Map<String, List<NodeSite>> fp16, Map<String, List<NodeSite>> int8) {}

  /**
   * Both columns from the model's floating-point nodes per operator ({@link ModelIndex#floatSitesByOp}, found once
   * per check): per release only the operators are decided, never the nodes walked. Nothing when the release's
   * tables have no type lists (before 8.0).
   */
  private static Fallbacks fallbacks(ReleaseRules rel, ModelIndex ix, boolean int8) {
    Map<String, List<NodeSite>> fp16 = new LinkedHashMap<>();
    Map<String, List<NodeSite>> i8 = new LinkedHashMap<>();
    // In the order of each operator's first floating-point node, as a walk over the nodes would add them.
    for (Map.Entry<String, List<NodeSite>> e : ix.floatSitesByOp().entrySet()) {
      OperatorRule r = rel.operator(e.getKey()).orElse(null);
      if (r == null || r.types() == null || !r.types().contains("FLOAT")) {
        continue;
      }
      if (!r.types().contains("FLOAT16")) {
        fp16.put(e.getKey(), e.getValue());
      }
      if (int8 && !r.types().contains("INT8")) {
        i8.put(e.getKey(), e.getValue());
      }
    }
    return new Fallbacks(fp16, i8);
  }

  /** One warning per operator: its nodes run in a wider type than the build asks for. */
  private void report(ReleaseRules rel, PrecisionFindings col, Map<String, List<NodeSite>> byOp, String shortName,
      String wider) {
    for (Map.Entry<String, List<NodeSite>> e : byOp.entrySet()) {
      List<NodeSite> nodes = e.getValue();
      OperatorRule r = rel.operator(e.getKey()).orElseThrow();
      List<String> names = nodes.stream().limit(NAMED_NODES).map(NodeSite::name).toList();
      String which = String.join(", ", names) + (nodes.size() > NAMED_NODES
          ? " and " + (nodes.size() - NAMED_NODES) + " more" : "");
      String from = r.typesFromCode() ? "importer" : "operator table";
      col.node(nodes.get(0), Severity.WARNING, "precision." + shortName.toLowerCase(java.util.Locale.ROOT) + "_fallback",
          e.getKey() + " runs in " + wider + " in an " + shortName + " build: TensorRT " + rel.release() + "'s " + from
              + " lists " + String.join(", ", r.types()) + " for " + e.getKey() + " (" + nodes.size() + " node"
              + (nodes.size() == 1 ? "" : "s") + ": " + which + ")",
          "expect " + e.getKey() + " at " + wider + " speed; check the layer precisions with trtexec --exportLayerInfo",
          null);
      col.cite(tableSource(rel, r));
    }
  }

  private static String tableSource(ReleaseRules rel, OperatorRule r) {
    String file = r.typesFromCode() ? "importer" : "operators.md";
    return rel.sources().stream()
        .filter(s -> s.url() != null && (r.typesFromCode() ? !s.url().endsWith("operators.md") && s.url().endsWith(".cpp")
            : s.url().endsWith("operators.md")))
        .map(Source::url).findFirst().map(u -> u + (file.equals("operators.md") ? " (row " + r.op() + ")" : ""))
        .orElse(null);
  }

  /** Which GPUs a verdict holds for when no GPU was chosen: the architectures that have the precision. */
  private String assumes(Precision p, QdqIndex qdq) {
    GpuFacts g = facts.gpus();
    List<String> needs = new ArrayList<>();
    if (p != Precision.FP32) {
      needs.add(p.name() + " (listed for " + oldestWith(g, p.wireName()) + " and newer)");
    }
    for (String t : qdq.types) {
      if (!t.equals("INT8") || p == Precision.FP32 || p == Precision.FP16) {
        String since = oldestWith(g, t);
        if (!since.equals("unknown")) {
          needs.add(shortType(t) + " Q/DQ (listed for " + since + " and newer)");
        }
      }
    }
    return "any GPU the release supports" + (needs.isEmpty() ? "" : " with " + String.join(", ", needs))
        + "; pass a GPU to check one";
  }

  static String shortType(String onnxType) {
    return switch (onnxType) {
      case "FLOAT8E4M3FN" -> "FP8";
      case "FLOAT4E2M1" -> "FP4";
      default -> onnxType;
    };
  }

  private static String oldestWith(GpuFacts g, String what) {
    return g.architectures().stream().filter(a -> Boolean.TRUE.equals(a.can(what)))
        .map(GpuFacts.Architecture::sm).min(Comparable::compareTo).map(cc -> cc.sm()).orElse("unknown");
  }
}
