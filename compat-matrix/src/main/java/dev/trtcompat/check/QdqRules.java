package dev.trtcompat.check;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.precision.QuantizationFacts;
import dev.trtcompat.precision.ReleaseFact;
import dev.trtcompat.precision.ReleaseFact.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;

/**
 * The explicit-quantization rules of one release's importer, node by node: quantized type, zero point, scale
 * sign and shape against the per-channel axis, block quantization, and Q/DQ pairing. The importer's asserts
 * fail the parse, so these findings hold for every precision column.
 */
final class QdqRules {

  private final QuantizationFacts facts;
  private final String release;
  private final ModelIndex ix;
  private final QdqIndex qdq;
  private final List<Finding> parseFindings;
  private final PrecisionFindings out;

  QdqRules(QuantizationFacts facts, String release, ModelIndex ix, QdqIndex qdq, List<Finding> parseFindings,
      PrecisionFindings out) {
    this.facts = facts;
    this.release = release;
    this.ix = ix;
    this.qdq = qdq;
    this.parseFindings = parseFindings;
    this.out = out;
  }

  void check() {
    Optional<ReleaseFact> scaleLayer = facts.find(release, Kind.QDQ_AS_SCALE_LAYER, null);
    if (scaleLayer.isPresent()) {
      out.model(Severity.WARNING, "qdq.not_explicit",
          "TensorRT " + release + " imports QuantizeLinear/DequantizeLinear as scale layers: the model's scales do "
              + "not become INT8 layers (explicit quantization starts with TensorRT 8.0)",
          "use TensorRT 8.0 or newer for a Q/DQ model", scaleLayer.get());
      return;
    }
    if (!facts.holds(release, Kind.EXPLICIT_QUANTIZATION)) {
      out.model(Severity.WARNING, "qdq.rules.unknown",
          "the knowledge base has no Q/DQ import facts for TensorRT " + release, "build a test engine", null);
      return;
    }
    for (QdqIndex.Node n : qdq.nodes) {
      node(n);
    }
  }

  private void node(QdqIndex.Node n) {
    NodeSite s = n.site();
    NodeProto node = s.node();
    boolean hasZeroPoint = node.getInputCount() >= 3 && !node.getInput(2).isEmpty();
    facts.find(release, Kind.ZERO_POINT_REQUIRED, null).filter(f -> !hasZeroPoint).ifPresent(f ->
        out.node(s, Severity.ERROR, "qdq.zero_point_required",
            s.op() + " has no zero point; TensorRT " + release + "'s importer requires all three inputs",
            "add an INT8 zero-point initializer of 0 (same shape as the scale)", f));
    type(n, hasZeroPoint);
    if (hasZeroPoint) {
      zeroPoint(n);
    }
    scale(n);
    pairing(n);
  }

  private void type(QdqIndex.Node n, boolean hasZeroPoint) {
    NodeSite s = n.site();
    ElementType t = n.type();
    if (t == null || t == ElementType.INT8) {
      return;
    }
    if (t == ElementType.UINT8) {
      facts.find(release, Kind.UINT8_REFUSED, null).ifPresent(f -> out.node(s, Severity.ERROR, "qdq.uint8",
          s.op() + " quantizes to UINT8; TensorRT " + release + " refuses UINT8 Q/DQ (symmetric INT8 only)",
          "re-quantize to INT8 with a zero point of 0", f));
      return;
    }
    String name = t.name();
    if (facts.qdqType(release, name).isPresent()) {
      return;
    }
    Optional<String> since = facts.qdqTypeSince(name);
    out.node(s, Severity.ERROR, "qdq.type_unsupported",
        s.op() + " quantizes to " + name + "; TensorRT " + release + "'s importer takes "
            + String.join(", ", supportedTypes()) + " only"
            + since.map(v -> " (" + name + " from TensorRT " + v + ")").orElse(""),
        since.map(v -> "use TensorRT " + v + " or newer, or quantize to INT8").orElse("quantize to INT8"),
        since.flatMap(v -> facts.qdqType(v, name)).orElse(null));
  }

  private List<String> supportedTypes() {
    return java.util.stream.Stream.of("INT8", "FLOAT8E4M3FN", "INT4", "FLOAT4E2M1")
        .filter(x -> facts.qdqType(release, x).isPresent()).toList();
  }

  private void zeroPoint(QdqIndex.Node n) {
    NodeSite s = n.site();
    TensorFact z = ix.fact(s.node().getInput(2));
    if (z == null || !Boolean.FALSE.equals(z.allZero())) {
      return;
    }
    Optional<ReleaseFact> mustBeZero = facts.find(release, Kind.ZERO_POINT_ALL_ZERO, s.op());
    if (mustBeZero.isPresent()) {
      if (parseAlreadySays(s, "zero")) {
        out.cite(mustBeZero.get()); // the parse findings already carry this error; cite the importer, do not repeat it
      } else {
        out.node(s, Severity.ERROR, "qdq.zero_point_nonzero",
            s.op() + " zero point '" + s.node().getInput(2) + "' is not all zeros; TensorRT " + release
                + " supports symmetric quantization only",
            "re-quantize symmetrically (zero point 0)", mustBeZero.get());
      }
      return;
    }
    facts.find(release, Kind.ZERO_POINT_IGNORED, s.op()).ifPresent(f -> out.node(s, Severity.WARNING,
        "qdq.zero_point_ignored",
        s.op() + " zero point '" + s.node().getInput(2) + "' is not zero; TensorRT " + release
            + "'s importer does not apply it, so outputs differ from the model",
        "re-quantize symmetrically (zero point 0)", f));
  }

  private boolean parseAlreadySays(NodeSite s, String word) {
    return parseFindings.stream().anyMatch(f -> f.severity() == Severity.ERROR && s.path().equals(f.path())
        && f.message().toLowerCase(java.util.Locale.ROOT).contains(word));
  }

  private void scale(QdqIndex.Node n) {
    NodeSite s = n.site();
    NodeProto node = s.node();
    if (node.getInputCount() < 2) {
      return;
    }
    String scaleName = node.getInput(1);
    TensorInfo init = qdq.initializers.get(scaleName);
    if (init != null && init.elemType() == ElementType.FLOAT && init.smallValue() != null) {
      ByteBuffer b = ByteBuffer.wrap(init.smallValue()).order(ByteOrder.LITTLE_ENDIAN);
      boolean positive = true;
      while (b.remaining() >= 4) {
        positive &= b.getFloat() > 0;
      }
      if (!positive) {
        facts.find(release, Kind.SCALE_POSITIVE, null).ifPresent(f -> out.node(s, Severity.ERROR,
            "qdq.scale_not_positive", s.op() + " scale '" + scaleName + "' has a value <= 0; TensorRT " + release
                + " needs every scale strictly positive", "clamp scales to a small positive minimum", f));
      }
    }
    TensorFact scale = ix.fact(scaleName);
    TensorFact data = ix.fact(node.getInput(0));
    if (scale == null || scale.dims() == null) {
      return;
    }
    long count = scale.isStatic() ? scale.dims().stream().mapToLong(Long::longValue).reduce(1, (a, c) -> a * c) : -1;
    Optional<Long> axisAttr = NodeRules.attr(node, "axis").map(a -> a.getI());
    if (count == 1) {
      facts.find(release, Kind.PER_TENSOR_AXIS_REFUSED, null).filter(f -> axisAttr.isPresent()).ifPresent(f ->
          out.node(s, Severity.ERROR, "qdq.axis_with_single_scale",
              s.op() + " has an axis attribute with a single scale; TensorRT " + release + " refuses that",
              "drop the axis attribute for per-tensor quantization", f));
      return;
    }
    int rank = scale.dims().size();
    Integer dataRank = data == null ? null : data.rank();
    if (dataRank != null && rank > 1 && rank == dataRank) {
      block(s, scale, data);
      return;
    }
    if (rank != 1 || count < 0 || data == null || data.dims() == null) {
      return;
    }
    long axis = axisAttr.orElse(facts.holds(release, Kind.PER_CHANNEL_AXIS_DEFAULT_ZERO) ? 0L : 1L);
    long normalized = axis < 0 ? axis + dataRank : axis;
    if (normalized < 0 || normalized >= dataRank) {
      return;
    }
    long k = data.dims().get((int) normalized);
    if (k >= 0 && k != count) {
      Optional<ReleaseFact> defaultZero = axisAttr.isEmpty()
          ? facts.find(release, Kind.PER_CHANNEL_AXIS_DEFAULT_ZERO, null) : Optional.empty();
      out.node(s, Severity.ERROR, "qdq.scale_count",
          s.op() + " has " + count + " scales but input '" + node.getInput(0) + "' has " + k + " channels on axis "
              + normalized + (defaultZero.isPresent()
                  ? " (no axis attribute: TensorRT " + release + " uses axis 0, not ONNX's default 1)" : ""),
          defaultZero.isPresent() ? "set the axis attribute explicitly" : "give one scale per channel of the axis",
          defaultZero.orElse(facts.find(release, Kind.EXPLICIT_QUANTIZATION, null).orElse(null)));
    }
  }

  private void block(NodeSite s, TensorFact scale, TensorFact data) {
    Optional<ReleaseFact> blockFact = facts.find(release, Kind.BLOCK_QUANTIZATION, null);
    if (blockFact.isEmpty()) {
      Optional<ReleaseFact> first = facts.find("10.0", Kind.BLOCK_QUANTIZATION, null);
      out.node(s, Severity.ERROR, "qdq.block_unsupported",
          s.op() + " uses block quantization (scale " + NodeRules.describe(scale.dims()) + " has the input's rank); "
              + "TensorRT " + release + " takes per-tensor or per-channel scales only",
          "use TensorRT 10.0 or newer, or per-channel scales", first.orElse(null));
      return;
    }
    if (!scale.isStatic() || !data.isStatic()) {
      return;
    }
    int blocked = 0;
    for (int i = 0; i < scale.dims().size(); i++) {
      long sd = scale.dims().get(i);
      if (sd == 0 || data.dims().get(i) % sd != 0) {
        blocked = -100;
      } else if (data.dims().get(i) / sd != 1) {
        blocked++;
      }
    }
    if (blocked != 1) {
      out.node(s, Severity.ERROR, "qdq.block_shape",
          s.op() + " block scale " + NodeRules.describe(scale.dims()) + " against input "
              + NodeRules.describe(data.dims()) + ": TensorRT " + release
              + " needs exactly one blocked dimension that divides evenly",
          "block along a single axis", blockFact.get());
    }
  }

  /** A Q should feed a DQ, and a DQ should read a Q or quantized weights: TensorRT fuses the pairs. */
  private void pairing(QdqIndex.Node n) {
    NodeSite s = n.site();
    ReleaseFact f = facts.find(release, Kind.EXPLICIT_QUANTIZATION, null).orElse(null);
    if (n.quantize()) {
      String y = s.node().getOutputCount() == 0 ? "" : s.node().getOutput(0);
      List<NodeSite> readers = qdq.consumers.getOrDefault(y, List.of());
      if (!readers.isEmpty() && readers.stream().anyMatch(r -> !r.op().equals("DequantizeLinear"))) {
        out.node(s, Severity.WARNING, "qdq.unpaired_quantize",
            "QuantizeLinear output '" + y + "' is read by " + readers.stream().filter(r -> !r.op().equals("DequantizeLinear"))
                .map(NodeSite::opKey).distinct().toList() + ", not only by DequantizeLinear; TensorRT expects Q/DQ pairs",
            "follow each QuantizeLinear with a DequantizeLinear (Q/DQ placement in TensorRT's developer guide)", f);
      }
    } else {
      String x = s.node().getInput(0);
      NodeSite producer = qdq.producers.get(x);
      TensorFact xf = ix.fact(x);
      boolean weights = xf != null && xf.origin().isConstant();
      if (producer != null && !producer.op().equals("QuantizeLinear") && !weights) {
        out.node(s, Severity.WARNING, "qdq.unpaired_dequantize",
            "DequantizeLinear input '" + x + "' comes from " + producer.opKey()
                + ", not from a QuantizeLinear or quantized weights",
            "feed each DequantizeLinear from a QuantizeLinear or from quantized weights", f);
      }
    }
  }
}
