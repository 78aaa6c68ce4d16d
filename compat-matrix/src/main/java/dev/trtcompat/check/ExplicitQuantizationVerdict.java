package dev.trtcompat.check;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether one release builds a Q/DQ model as TensorRT explicit quantization, judged by the release's Q/DQ import
 * rules ({@link QdqRules}): the scales become INT8 layers ({@code explicit}), or the release imports Q/DQ as scale
 * layers ({@code scale_layers}, before 8.0, so the model does not run in INT8 from its scales), or the knowledge base
 * has no Q/DQ facts for it ({@code unknown}). The verdict counts only the findings about Q/DQ: the rules' findings
 * and the parse findings on QuantizeLinear/DequantizeLinear nodes; the release's parse verdict stays separate.
 *
 * @param findings the Q/DQ findings behind the verdict
 */
public record ExplicitQuantizationVerdict(
    String tensorrt, Mode mode, Verdict verdict, int errors, int warnings, List<Finding> findings) {

  /** How the release imports QuantizeLinear/DequantizeLinear. */
  public enum Mode {
    EXPLICIT,
    SCALE_LAYERS,
    UNKNOWN;

    @JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public ExplicitQuantizationVerdict {
    findings = List.copyOf(findings);
  }

  /** One verdict per release of the report; empty when the model has no Q/DQ nodes. */
  public static List<ExplicitQuantizationVerdict> of(CompatibilityReport report) {
    if (report.quantization() == null || report.quantization().qdqNodes() == 0) {
      return List.of();
    }
    List<ExplicitQuantizationVerdict> out = new ArrayList<>();
    for (ReleaseResult r : report.results()) {
      out.add(of(r));
    }
    return out;
  }

  static ExplicitQuantizationVerdict of(ReleaseResult r) {
    List<Finding> qdq = new ArrayList<>();
    r.findings().stream().filter(f -> isQdqOp(f.op()) && f.severity() != Severity.INFO).forEach(qdq::add);
    PrecisionResult int8 = r.precisions().get("int8");
    if (int8 != null) {
      int8.findings().stream().filter(f -> f.rule().startsWith("qdq.")).forEach(qdq::add);
    }
    Mode mode = qdq.stream().anyMatch(f -> f.rule().equals("qdq.not_explicit")) ? Mode.SCALE_LAYERS
        : qdq.stream().anyMatch(f -> f.rule().equals("qdq.rules.unknown")) ? Mode.UNKNOWN
        : Mode.EXPLICIT;
    ReleaseResult tally = ReleaseResult.tally(r.tensorrt(), r.status(), r.derivedFrom(), qdq);
    Verdict v = switch (mode) {
      case SCALE_LAYERS -> Verdict.INCOMPATIBLE; // no INT8 layers from the model's scales
      case UNKNOWN -> tally.errors() > 0 ? Verdict.INCOMPATIBLE : Verdict.UNKNOWN;
      case EXPLICIT -> tally.verdict();
    };
    return new ExplicitQuantizationVerdict(r.tensorrt(), mode, v, tally.errors(), tally.warnings(), qdq);
  }

  private static boolean isQdqOp(String op) {
    return "QuantizeLinear".equals(op) || "DequantizeLinear".equals(op);
  }
}
