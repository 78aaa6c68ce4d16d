package dev.trtcompat.onnx;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.FunctionProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code trt-compat inspect} reports about a model; serialized as-is to JSON.
 *
 * @param inputs the graph inputs a caller must feed: inputs that are also initializers (IR &lt; 4 style
 *     weights) are left out
 * @param ops op type to count over the main graph and every If/Loop/Scan body; ops of a non-default domain
 *     are written {@code domain:Op}; ordered by count, then name
 * @param subgraphCount graphs found in node attributes, at any depth
 * @param functions model-local function names
 */
public record ModelSummary(
    long irVersion,
    String producerName,
    String producerVersion,
    Map<String, Long> opsetImports,
    List<ValueSummary> inputs,
    List<ValueSummary> outputs,
    int nodeCount,
    Map<String, Integer> ops,
    int initializerCount,
    long initializerBytes,
    List<String> externalDataFiles,
    int subgraphCount,
    Map<String, String> metadata,
    List<String> functions) {

  /**
   * A graph input or output.
   *
   * @param elemType the ONNX element type name (e.g. {@code FLOAT}); {@code sequence(FLOAT)}, {@code
   *     map(INT64,FLOAT)}, {@code optional(...)} for non-tensor types
   * @param shape one entry per dim: a Long for a fixed size, a String for a symbolic or unknown one ("?");
   *     null when the rank is unknown
   */
  public record ValueSummary(String name, String elemType, List<Object> shape) {}

  public static ModelSummary of(OnnxModel model) {
    Map<String, int[]> counts = new HashMap<>();
    int[] subgraphs = {0};
    countOps(model.graph().nodes(), counts, subgraphs);
    return of(model, counts, subgraphs[0]);
  }

  /**
   * The summary with the op counts a caller already made in its own walk of the graph (the checker's index: one
   * pass over a large graph's nodes fewer): per {@link #opKey}, the main graph's nodes and those of If/Loop/Scan
   * bodies at any depth, not local functions' bodies; {@code subgraphCount} the bodies met.
   */
  public static ModelSummary of(OnnxModel model, Map<String, int[]> counts, int subgraphCount) {
    OnnxGraph g = model.graph();
    Map<String, Integer> ops = new LinkedHashMap<>();
    counts.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue()[0]))
        .sorted(byCountDescending())
        .forEach(e -> ops.put(e.getKey(), e.getValue()));
    Set<String> initializerNames = new HashSet<>();
    long bytes = 0;
    for (TensorInfo t : g.initializers()) {
      initializerNames.add(t.name());
      bytes += t.payloadBytes();
    }
    List<ValueSummary> inputs = new ArrayList<>();
    for (ValueInfoProto v : g.inputs()) {
      if (!initializerNames.contains(v.getName())) {
        inputs.add(value(v));
      }
    }
    return new ModelSummary(
        model.irVersion(),
        model.producerName(),
        model.producerVersion(),
        model.opsetImports(),
        List.copyOf(inputs),
        g.outputs().stream().map(ModelSummary::value).toList(),
        g.nodes().size(),
        ops,
        g.initializers().size(),
        bytes,
        model.externalDataFiles(),
        subgraphCount,
        model.metadata(),
        model.functions().stream().map(FunctionProto::getName).toList());
  }

  /**
   * This summary as pretty-printed JSON, identical to what {@code Json.pretty()} writes for it, without the
   * start-up cost of Jackson (for one-shot commands).
   */
  public String toJson() {
    return SummaryJson.write(this);
  }

  /** The key a node gets in {@link #ops()}. */
  public static String opKey(NodeProto n) {
    String d = n.getDomain();
    return d.isEmpty() || d.equals(OnnxModel.DEFAULT_DOMAIN) ? n.getOpType() : d + ":" + n.getOpType();
  }

  /** Counts in mutable cells and loops by index: a boxed count and two iterators per node added up at 300k nodes. */
  private static void countOps(List<NodeProto> nodes, Map<String, int[]> counts, int[] subgraphs) {
    for (int i = 0, size = nodes.size(); i < size; i++) {
      NodeProto n = nodes.get(i);
      String key = opKey(n);
      int[] count = counts.get(key);
      if (count == null) {
        counts.put(key, new int[] {1});
      } else {
        count[0]++;
      }
      for (int k = 0, attrs = n.getAttributeCount(); k < attrs; k++) {
        AttributeProto a = n.getAttribute(k);
        if (a.hasG()) {
          subgraphs[0]++;
          countOps(a.getG().getNodeList(), counts, subgraphs);
        }
        for (GraphProto sub : a.getGraphsList()) {
          subgraphs[0]++;
          countOps(sub.getNodeList(), counts, subgraphs);
        }
      }
    }
  }

  static ValueSummary value(ValueInfoProto v) {
    TypeProto t = v.getType();
    return switch (t.getValueCase()) {
      case TENSOR_TYPE -> new ValueSummary(
          v.getName(), typeName(t), t.getTensorType().hasShape() ? shape(t.getTensorType().getShape()) : null);
      case SPARSE_TENSOR_TYPE -> new ValueSummary(
          v.getName(), typeName(t),
          t.getSparseTensorType().hasShape() ? shape(t.getSparseTensorType().getShape()) : null);
      default -> new ValueSummary(v.getName(), typeName(t), null);
    };
  }

  /** A readable name for any ONNX type. */
  public static String typeName(TypeProto t) {
    return switch (t.getValueCase()) {
      case TENSOR_TYPE -> elemName(t.getTensorType().getElemType());
      case SPARSE_TENSOR_TYPE -> "sparse(" + elemName(t.getSparseTensorType().getElemType()) + ")";
      case SEQUENCE_TYPE -> "sequence(" + typeName(t.getSequenceType().getElemType()) + ")";
      case MAP_TYPE -> "map(" + elemName(t.getMapType().getKeyType()) + "," + typeName(t.getMapType().getValueType()) + ")";
      case OPTIONAL_TYPE -> "optional(" + typeName(t.getOptionalType().getElemType()) + ")";
      case OPAQUE_TYPE -> "opaque(" + t.getOpaqueType().getDomain() + ":" + t.getOpaqueType().getName() + ")";
      case VALUE_NOT_SET -> "UNDEFINED";
    };
  }

  private static String elemName(int wire) {
    return ElementType.fromWire(wire).map(Enum::name).orElse("UNKNOWN(" + wire + ")");
  }

  /** Dims as Long (fixed), String (symbolic), or "?" (unknown). */
  public static List<Object> shape(TensorShapeProto s) {
    List<Object> dims = new ArrayList<>(s.getDimCount());
    for (TensorShapeProto.Dimension d : s.getDimList()) {
      switch (d.getValueCase()) {
        case DIM_VALUE -> dims.add(d.getDimValue());
        case DIM_PARAM -> dims.add(d.getDimParam().isEmpty() ? "?" : d.getDimParam());
        default -> dims.add("?");
      }
    }
    return java.util.Collections.unmodifiableList(dims);
  }

  /** Used by callers that print op histograms: most frequent first. */
  public static Comparator<Map.Entry<String, Integer>> byCountDescending() {
    return Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey());
  }
}
