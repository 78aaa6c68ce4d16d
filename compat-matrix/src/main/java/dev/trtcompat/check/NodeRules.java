package dev.trtcompat.check;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.rules.Constraint;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.OperatorRule;
import dev.trtcompat.rules.ReleaseRules;
import dev.trtcompat.rules.Support;
import dev.trtcompat.rules.TypePolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Checks one node against one release's operator facts and constraints. */
final class NodeRules {


  /**
   * Which input carries the type the table's "Supported Types" column is about; -1 when no input does (the
   * column then describes an attribute or the output: ConstantOfShape's value, Shape's any-typed input).
   */
  private static final Map<String, Integer> TYPED_INPUT =
      Map.of("Where", 1, "ConstantOfShape", -1, "Shape", -1, "Size", -1, "OneHot", 2, "EyeLike", -1);

  private final java.util.Set<String> schemaReported = new java.util.HashSet<>();
  private final java.util.Set<String> undecidedReported = new java.util.HashSet<>();
  private static final int NOT_LOOKED_UP = Integer.MIN_VALUE;
  private final String[] effectiveTypes = new String[ElementType.values().length];
  /** Per op type ({@link NodeSite#opId}): the release's rule (null when not listed) and the typed input. */
  private final OperatorRule[] ruleByOp;
  private final int[] typedInputByOp;
  /** Per op type: the schema version at the model's opset, {@link #NOT_LOOKED_UP} until looked up. */
  private final int[] sinceByOp;
  private final long modelOpset;
  private final KnowledgeBase kb;
  private final ReleaseRules rel;
  private final ModelIndex ix;
  private final Findings out;

  NodeRules(KnowledgeBase kb, ReleaseRules rel, ModelIndex ix, Findings out) {
    this.kb = kb;
    this.rel = rel;
    this.ix = ix;
    this.out = out;
    this.modelOpset = ix.model.defaultOpset();
    int ops = ix.opTypes.size();
    this.ruleByOp = new OperatorRule[ops];
    this.typedInputByOp = new int[ops];
    this.sinceByOp = new int[ops];
    java.util.Arrays.fill(sinceByOp, NOT_LOOKED_UP);
    for (int id = 0; id < ops; id++) {
      ruleByOp[id] = rel.listedOperator(ix.opTypes.get(id));
      typedInputByOp[id] = TYPED_INPUT.getOrDefault(ix.opTypes.get(id), 0);
    }
  }

  void check(NodeSite s) {
    if (!s.defaultDomain()) {
      customDomain(s);
      return;
    }
    if (s.node().getOpType().isEmpty()) {
      out.node(s, Severity.ERROR, "node.no_op_type", "the node has no op_type", "fix the exporter output");
      return;
    }
    if (isLocalFunctionCall(s)) {
      return;
    }
    OperatorRule r = ruleByOp[s.opId()];
    Support support = r == null ? rel.unlistedOperators() : r.supported();
    if (support == Support.NO) {
      unsupported(s);
      return;
    }
    if (support == Support.UNKNOWN || r == null) {
      out.node(s, Severity.WARNING, "op.support.unknown",
          s.op() + ": the knowledge base has no fact about this operator for TensorRT " + rel.release(),
          "build a test engine with trtexec for this release");
      return;
    }
    schemaVersion(s);
    if (r.isExperimental()) {
      out.node(s, Severity.WARNING, "op.experimental",
          s.op() + " is marked experimental in TensorRT " + rel.release() + "'s operator table",
          "validate the outputs against ONNX Runtime; a newer release supports it fully");
    }
    if (r.hasDataDependentOutputShape()) {
      out.node(s, Severity.INFO, "op.data_dependent_shape",
          s.op() + " has a data-dependent output shape; TensorRT sizes it at run time",
          "give downstream consumers a bounded shape or keep post-processing outside the engine if latency matters");
    }
    types(s, r);
    List<Constraint> constraints = r.constraints();
    for (int i = 0, count = constraints.size(); i < count; i++) { // no iterator per node and group (C1 keeps it)
      Constraint c = constraints.get(i);
      if (c.appliesAt(s.opset())) {
        new ConstraintCheck(rel, ix, out, s, r).check(c);
      }
    }
    undecidedChecks(s, r);
  }

  /**
   * The importer's checks that this knowledge base leaves to the build (run-time values, or not modelled yet):
   * one info finding per operator type, so that they are never a silent pass.
   */
  private void undecidedChecks(NodeSite s, OperatorRule r) {
    if (r.assertions().isEmpty() || !undecidedReported.add(s.op())) {
      return; // once per operator type: later nodes of the same op cost one set lookup
    }
    List<dev.trtcompat.rules.AssertionFact> open = r.undecidedAssertions();
    if (open.isEmpty()) {
      return;
    }
    String what = open.stream().map(dev.trtcompat.rules.AssertionFact::what).distinct()
        .collect(Collectors.joining("; "));
    int count = ix.opCounts.getOrDefault(s.op(), 1);
    out.node(s, Severity.INFO, "op.importer_checks_not_decided",
        s.op() + ": TensorRT " + rel.release() + "'s importer also checks what this tool does not decide: " + what
            + (count > 1 ? " (reported once for the " + count + " " + s.op() + " nodes)" : ""),
        "if the build fails at a " + s.op() + " node, check these conditions first");
  }

  private boolean isLocalFunctionCall(NodeSite s) {
    if (ix.functions.isEmpty()) {
      return false; // most models: no key to build per node and release group
    }
    String key = (s.node().getDomain().isEmpty() ? "" : s.node().getDomain()) + ":" + s.op();
    if (!ix.functions.containsKey(key)) {
      return false;
    }
    if (!rel.localFunctions()) {
      out.node(s, Severity.ERROR, "function.not_expanded",
          s.op() + " is a model-local function; TensorRT " + rel.release() + "'s parser does not expand functions",
          "inline local functions before export (onnx.inliner) or use TensorRT 9.0 or newer");
    }
    return true;
  }

  private void customDomain(NodeSite s) {
    String key = s.node().getDomain() + ":" + s.op();
    if (ix.functions.containsKey(key)) {
      if (!rel.localFunctions()) {
        out.node(s, Severity.ERROR, "function.not_expanded",
            s.opKey() + " is a model-local function; TensorRT " + rel.release() + "'s parser does not expand functions",
            "inline local functions before export (onnx.inliner) or use TensorRT 9.0 or newer");
      }
      return;
    }
    if (rel.fallbackPluginImporter()) {
      out.node(s, Severity.WARNING, "domain.plugin_required.unknown",
          s.opKey() + " is not an ONNX operator; TensorRT " + rel.release()
              + " parses it only if a plugin named '" + s.op() + "' is registered",
          "register a TensorRT plugin named '" + s.op() + "' (e.g. trtexec --plugins=lib.so) or replace the op with standard ONNX operators");
    } else {
      out.node(s, Severity.ERROR, "domain.unsupported",
          s.opKey() + " is not an ONNX operator and TensorRT " + rel.release() + " has no plugin fallback in its parser",
          "replace the op with standard ONNX operators or use TensorRT 7.1 or newer with a plugin");
    }
  }

  private void unsupported(NodeSite s) {
    String from = kb.releases().stream()
        .filter(r -> r.operator(s.op()).map(o -> o.supported() == Support.YES).orElse(false))
        .filter(r -> newer(r, rel))
        .map(ReleaseRules::release).findFirst().orElse(null);
    String msg = s.op() + " is not supported by TensorRT " + rel.release() + "'s ONNX parser";
    String fix;
    if (from != null) {
      msg = s.op() + " is supported from TensorRT " + from + "; TensorRT " + rel.release() + "'s parser has no importer for it";
      fix = "upgrade to TensorRT " + from + " or newer"
          + (isPostProcessing(s.op()) ? ", or move the post-processing that uses " + s.op() + " out of the graph"
              : ", or replace " + s.op() + " with supported operators before export");
    } else {
      fix = "no TensorRT release in the knowledge base imports " + s.op()
          + "; replace it with supported operators, move it out of the graph, or implement a plugin";
    }
    out.node(s, Severity.ERROR, "op.unsupported", msg, fix);
  }

  private static boolean isPostProcessing(String op) {
    return op.equals("NonZero") || op.equals("NonMaxSuppression") || op.equals("Unique") || op.equals("TopK");
  }

  static boolean newer(ReleaseRules a, ReleaseRules b) {
    int[] x = a.versionParts();
    int[] y = b.versionParts();
    return x[0] > y[0] || (x[0] == y[0] && x[1] > y[1]);
  }

  /** A node whose schema is newer than every opset the release documents: its behaviour there is not known. */
  private void schemaVersion(NodeSite s) {
    int since = since(s);
    if (since > rel.parser().opsetMax() && schemaReported.add(s.op())) {
      int count = ix.opCounts.getOrDefault(s.op(), 1);
      out.node(s, Severity.WARNING, "op.schema_newer_than_parser.unknown",
          s.op() + "-" + since + " (selected by opset " + s.opset() + ") is newer than the opsets TensorRT "
              + rel.release() + " documents (up to " + rel.parser().opsetMax() + ")"
              + (count > 1 ? "; reported once for the " + count + " " + s.op() + " nodes" : ""),
          "re-export with opset " + rel.parser().opsetMax() + " or lower for TensorRT " + rel.release()
              + ", or use a newer TensorRT");
    }
  }

  /** The schema version selected by {@code opset}, looked up once per op type at the model's opset. */
  private int since(NodeSite s) {
    if (s.opset() != modelOpset) {
      return kb.onnxOperators().schemaVersion("ai.onnx", s.op(), s.opset()); // a local function's own opset: rare
    }
    int known = sinceByOp[s.opId()];
    if (known == NOT_LOOKED_UP) {
      known = kb.onnxOperators().schemaVersion("ai.onnx", s.op(), s.opset());
      sinceByOp[s.opId()] = known;
    }
    return known;
  }

  private void types(NodeSite s, OperatorRule r) {
    if (r.types() == null || r.types().isEmpty() || s.inputCount() == 0) {
      return;
    }
    NodeProto n = s.node();
    int which = typedInputByOp[s.opId()];
    if (which < 0 || s.inputCount() <= which) {
      return;
    }
    TensorFact in = ix.inputFact(s, which);
    if (in == null || in.type() == null) {
      return;
    }
    ElementType t = in.type();
    String effective = effectiveType(t);
    if (r.types().contains(effective)) {
      return;
    }
    if (r.typesFromCode()) {
      out.node(s, Severity.ERROR, "op.type_unsupported",
          s.op() + " input '" + n.getInput(which) + "' is " + t + "; TensorRT " + rel.release() + "'s importer accepts only "
              + String.join(", ", r.types()),
          "cast the input to a supported type (for example " + r.types().get(0) + ") before " + s.op());
    } else {
      out.node(s, Severity.WARNING, "op.type_not_listed",
          s.op() + " input '" + n.getInput(which) + "' is " + t + "; TensorRT " + rel.release() + "'s operator table lists "
              + String.join(", ", r.types()) + " for " + s.op() + " (the importer may accept more; the build may fail)",
          "cast the input to a listed type (for example " + r.types().get(0) + ") before " + s.op()
              + " if the build fails here");
    }
  }

  /** The type TensorRT sees after its implicit narrowing (DOUBLE to FLOAT, INT64 to INT32 before 10.0). */
  String effectiveType(ElementType t) {
    String known = effectiveTypes[t.ordinal()];
    if (known == null) { // once per element type and release, not per node
      TypePolicy p = rel.elementType(t.name()).orElse(null);
      known = p != TypePolicy.CAST_DOWN ? t.name()
          : t == ElementType.DOUBLE ? "FLOAT" : t == ElementType.INT64 ? "INT32" : t.name();
      effectiveTypes[t.ordinal()] = known;
    }
    return known;
  }

  static Optional<AttributeProto> attr(NodeProto n, String name) {
    for (int i = 0, count = n.getAttributeCount(); i < count; i++) {
      AttributeProto a = n.getAttribute(i);
      if (a.getName().equals(name)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  static String describe(List<Long> dims) {
    return dims.stream().map(d -> d < 0 ? "?" : Long.toString(d)).collect(Collectors.joining("x", "[", "]"));
  }
}
