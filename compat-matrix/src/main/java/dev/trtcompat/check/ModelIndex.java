package dev.trtcompat.check;

import dev.trtcompat.check.TensorFact.Origin;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxGraph;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.FunctionProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TypeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The release-independent view of a model the rules need, built once per check: every node (main graph,
 * If/Loop/Scan bodies at any depth, local functions) with its place, and what is statically known about each
 * tensor (type, shape, whether it is a weight or constant-foldable, small integer values).
 */
final class ModelIndex {

  final OnnxModel model;
  final List<NodeSite> sites = new ArrayList<>();
  final Map<String, TensorFact> tensors;
  /**
   * Tensor names some node or graph output reads: graph outputs from the walk, node inputs added on the first
   * {@link #isConsumed} (few models have a rule that asks; building it for every check cost a set insert per input).
   */
  private final Set<String> consumed = new HashSet<>();
  private boolean inputsConsumed;
  /** Initializer name to the ops that read it, for model-level type rules. */
  final Map<String, List<String>> initializerReaders = new HashMap<>();
  final Map<String, FunctionProto> functions = new HashMap<>();
  final Set<String> initializerNames = new HashSet<>();
  /** Default-domain op type to the number of nodes using it, at any depth. */
  final Map<String, Integer> opCounts = new HashMap<>();
  /**
   * Distinct op types in the order first met; a site's {@link NodeSite#opId} indexes this list, so the rules keep
   * their per-op facts in arrays instead of looking the op's name up for every node and release group.
   */
  final List<String> opTypes = new ArrayList<>();
  private final Map<String, Integer> opIds = new HashMap<>();
  private int[] opTally = new int[16];
  /** The inspect summary's op counts ({@link ModelSummary#of(OnnxModel, Map, int)}), made in the same walk. */
  private final Map<String, int[]> summaryOpCounts = new HashMap<>();
  private int summarySubgraphs;

  /** Only nodes computing on floating-point tensors fall back to a wider type; shape arithmetic on INT64 does not. */
  private static final Set<ElementType> FLOATS =
      java.util.EnumSet.of(ElementType.FLOAT, ElementType.FLOAT16, ElementType.BFLOAT16, ElementType.DOUBLE);

  private Map<String, List<NodeSite>> floatSitesByOp;
  /** Per site id, its inputs' facts once looked up ({@link #inputFact}); {@link #UNRESOLVED} until then. */
  private TensorFact[][] inputFacts;
  private static final TensorFact UNRESOLVED = TensorFact.runtime(null, null);

  private ModelIndex(OnnxModel model) {
    this.model = model;
    // sized for one output per node up front: growing a map of 300k tensors rehashed it a dozen times
    int expected = model.graph().nodes().size() + model.graph().initializers().size() + model.graph().inputs().size();
    this.tensors = new HashMap<>((int) (expected / 0.75f) + 16);
  }

  /** The model's summary, its op counts taken from this walk. */
  ModelSummary summary() {
    return ModelSummary.of(model, summaryOpCounts, summarySubgraphs);
  }

  static ModelIndex of(OnnxModel model) {
    ModelIndex ix = new ModelIndex(model);
    for (FunctionProto f : model.functions()) {
      ix.functions.put(f.getDomain() + ":" + f.getName(), f);
    }
    long opset = model.defaultOpset();
    OnnxGraph g = model.graph();
    ix.seedGraph(g.initializers(), g.inputs(), g.outputs(), g.valueInfo());
    List<NodeProto> nodes = g.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      ix.visit(nodes.get(i), i, i, null, opset, false);
    }
    for (ValueInfoProto o : g.outputs()) {
      ix.consumed.add(o.getName());
    }
    for (int id = 0; id < ix.opTypes.size(); id++) {
      ix.opCounts.put(ix.opTypes.get(id), ix.opTally[id]);
    }
    return ix;
  }

  private void seedGraph(
      List<TensorInfo> inits, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs, List<ValueInfoProto> vi) {
    for (ValueInfoProto v : vi) {
      tensors.put(v.getName(), fromValueInfo(v, Origin.RUNTIME));
    }
    for (ValueInfoProto v : outputs) {
      tensors.putIfAbsent(v.getName(), fromValueInfo(v, Origin.RUNTIME));
    }
    for (ValueInfoProto v : inputs) {
      tensors.put(v.getName(), fromValueInfo(v, Origin.GRAPH_INPUT));
    }
    for (TensorInfo t : inits) {
      initializerNames.add(t.name());
      tensors.put(t.name(), new TensorFact(t.elemType(), List.copyOf(t.dims()), Origin.INITIALIZER,
          ConstantValues.integers(t.elemType(), t.smallValue()), ConstantValues.allZero(t.smallValue()), null));
    }
  }

  private void seedSubgraph(GraphProto g) {
    List<TensorInfo> inits = OnnxGraph.of(g).initializers();
    seedGraph(inits, g.getInputList(), g.getOutputList(), g.getValueInfoList());
    for (ValueInfoProto o : g.getOutputList()) {
      consumed.add(o.getName());
    }
  }

  private void visit(NodeProto n, int top, int indexInGraph, String parentPath, long opset, boolean inFunction) {
    int opId = opId(n.getOpType());
    opTally[opId]++;
    NodeSite site = NodeSite.of(n, sites.size(), opId, opTypes.get(opId), top, indexInGraph, parentPath, opset,
        inFunction);
    sites.add(site);
    if (!inFunction) { // the summary counts graphs and their bodies, not local functions
      int[] count = summaryOpCounts.get(site.opKey());
      if (count == null) {
        summaryOpCounts.put(site.opKey(), new int[] {1});
      } else {
        count[0]++;
      }
    }
    for (int k = 0, count = n.getInputCount(); k < count; k++) {
      String in = n.getInput(k);
      if (!in.isEmpty()) {
        if (initializerNames.contains(in)) {
          initializerReaders.computeIfAbsent(in, key -> new ArrayList<>()).add(n.getOpType());
        }
      }
    }
    for (int k = 0, count = n.getAttributeCount(); k < count; k++) {
      AttributeProto a = n.getAttribute(k);
      if (!inFunction) {
        summarySubgraphs += (a.hasG() ? 1 : 0) + a.getGraphsCount();
      }
      if (a.hasG()) {
        subgraph(a.getG(), top, site.path() + "/" + a.getName(), opset, inFunction);
      }
      for (GraphProto sub : a.getGraphsList()) {
        subgraph(sub, top, site.path() + "/" + a.getName(), opset, inFunction);
      }
    }
    ConstantFolding.infer(n, tensors);
    FunctionProto f = functions.isEmpty() ? null
        : functions.get((n.getDomain().isEmpty() ? "" : n.getDomain()) + ":" + n.getOpType());
    if (f != null && !inFunction) {
      long fOpset = f.getOpsetImportList().stream()
          .filter(o -> o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx"))
          .mapToLong(o -> o.getVersion()).findFirst().orElse(opset);
      List<NodeProto> body = f.getNodeList();
      String bodyPath = site.path() + "/" + f.getName();
      for (int i = 0; i < body.size(); i++) {
        visit(body.get(i), top, i, bodyPath, fOpset, true);
      }
    }
  }

  private int opId(String op) {
    Integer known = opIds.get(op);
    if (known != null) {
      return known;
    }
    int id = opTypes.size();
    opIds.put(op, id);
    opTypes.add(op);
    if (id == opTally.length) {
      opTally = java.util.Arrays.copyOf(opTally, id * 2);
    }
    return id;
  }

  private void subgraph(GraphProto g, int top, String prefix, long opset, boolean inFunction) {
    seedSubgraph(g);
    List<NodeProto> nodes = g.getNodeList();
    for (int i = 0; i < nodes.size(); i++) {
      visit(nodes.get(i), top, i, prefix, opset, inFunction);
    }
  }

  static TensorFact fromValueInfo(ValueInfoProto v, Origin origin) {
    TypeProto t = v.getType();
    if (!t.hasTensorType()) {
      return new TensorFact(null, null, origin, null, null, null);
    }
    ElementType type = ElementType.fromWire(t.getTensorType().getElemType()).orElse(null);
    if (type == ElementType.UNDEFINED) {
      type = null;
    }
    if (!t.getTensorType().hasShape()) {
      return new TensorFact(type, null, origin, null, null, null);
    }
    List<Long> dims = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (TensorShapeProto.Dimension d : t.getTensorType().getShape().getDimList()) {
      if (d.hasDimValue() && d.getDimValue() >= 0) {
        dims.add(d.getDimValue());
        names.add(null);
      } else {
        dims.add(-1L);
        names.add(d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : "?");
      }
    }
    return new TensorFact(type, List.copyOf(dims), origin, null, null, java.util.Collections.unmodifiableList(names));
  }

  /**
   * Default-domain nodes that compute on floating-point tensors (first input a float, or of unknown type, or no
   * input), per op type in the order of each op's first such node, in model order: the nodes an FP16 or INT8 build
   * may run in a wider type. Found on first use and shared by every release of the check.
   */
  Map<String, List<NodeSite>> floatSitesByOp() {
    if (floatSitesByOp == null) {
      Map<String, List<NodeSite>> byOp = new java.util.LinkedHashMap<>();
      for (NodeSite s : sites) {
        if (s.defaultDomain() && computesOnFloats(s)) {
          byOp.computeIfAbsent(s.op(), k -> new ArrayList<>()).add(s);
        }
      }
      byOp.replaceAll((op, list) -> java.util.Collections.unmodifiableList(list));
      floatSitesByOp = java.util.Collections.unmodifiableMap(byOp);
    }
    return floatSitesByOp;
  }

  private boolean computesOnFloats(NodeSite s) {
    if (s.inputCount() == 0) {
      return true;
    }
    TensorFact in = inputFact(s, 0);
    return in == null || in.type() == null || FLOATS.contains(in.type());
  }

  /**
   * What is known about input {@code k} of a node (null when the input is empty or nothing is known), looked up
   * by name once per site and input: the rules ask again for every group of releases, and at 300k nodes those
   * name lookups in a map of 300k tensors were the check's largest single cost (docs/benchmarks.md). Resolved
   * after the walk, so it sees the same final facts as {@link #fact}.
   */
  TensorFact inputFact(NodeSite s, int k) {
    if (inputFacts == null) {
      inputFacts = new TensorFact[sites.size()][];
    }
    TensorFact[] row = inputFacts[s.id()];
    if (row == null) {
      row = new TensorFact[s.inputCount()];
      java.util.Arrays.fill(row, UNRESOLVED);
      inputFacts[s.id()] = row;
    }
    TensorFact f = row[k];
    if (f == UNRESOLVED) {
      String in = s.node().getInput(k);
      f = in.isEmpty() ? null : tensors.get(in);
      row[k] = f;
    }
    return f;
  }

  /** Whether a node (at any depth) or a graph output reads {@code name}. */
  boolean isConsumed(String name) {
    if (!inputsConsumed) {
      for (NodeSite s : sites) {
        NodeProto n = s.node();
        for (int k = 0, count = n.getInputCount(); k < count; k++) {
          if (!n.getInput(k).isEmpty()) {
            consumed.add(n.getInput(k));
          }
        }
      }
      inputsConsumed = true;
    }
    return consumed.contains(name);
  }

  TensorFact fact(String name) {
    return tensors.get(name);
  }
}
