package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.reference.HostTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One forward walk over the main graph (ONNX requires topological order) computing, per tensor, its element
 * type and shape ({@link ShapeRules}) and, where every input is known, its value ({@link ConstEval}). Shape of a
 * statically shaped tensor is a value, which is what makes Shape→Gather→Unsqueeze→Concat chains foldable.
 * Ops without a rule leave their outputs unknown: nothing is guessed.
 */
final class Analysis {

  /** Ops whose result is not a function of their inputs, or that run subgraphs: never folded. */
  private static final Set<String> NEVER_FOLD =
      Set.of("RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli",
          "If", "Loop", "Scan", "Dropout");

  final Map<String, TypeShape> shapes = new HashMap<>();
  final Map<String, HostTensor> values = new HashMap<>();
  private final long opset;

  private Analysis(long opset) {
    this.opset = opset;
  }

  static Analysis of(FixGraph g) {
    Analysis a = seeded(g, g.opset());
    for (NodeProto n : g.nodes) {
      a.visit(n);
    }
    return a;
  }

  /**
   * The declared types and shapes and the initializers only, under {@code opset}; the caller then visits nodes one
   * by one (opset-upgrade visits each node as it moved it, so the next node sees opset-11 facts).
   */
  static Analysis seeded(FixGraph g, long opset) {
    Analysis a = new Analysis(opset);
    for (ValueInfoProto v : g.valueInfo.values()) {
      a.shapes.put(v.getName(), TypeShape.of(v));
    }
    for (ValueInfoProto v : g.outputs) {
      a.shapes.putIfAbsent(v.getName(), TypeShape.of(v));
    }
    for (ValueInfoProto v : g.inputs) {
      a.shapes.put(v.getName(), TypeShape.of(v));
    }
    g.initializers.values().forEach(a::initializer);
    return a;
  }

  void initializer(TensorProto t) {
    long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    shapes.put(t.getName(), new TypeShape(t.getDataType(), dims));
    Tensors.decode(t).ifPresent(h -> values.put(t.getName(), h));
  }

  /** The default domain's opset the analysis ran under. */
  long opset() {
    return opset;
  }

  TypeShape shape(String name) {
    return name.isEmpty() ? TypeShape.UNKNOWN : shapes.getOrDefault(name, TypeShape.UNKNOWN);
  }

  HostTensor value(String name) {
    return values.get(name);
  }

  void visit(NodeProto n) {
    if (n.getOutputCount() == 0) {
      return;
    }
    List<HostTensor> ins = new ArrayList<>();
    boolean allKnown = true;
    for (String in : n.getInputList()) {
      HostTensor v = in.isEmpty() ? null : values.get(in);
      ins.add(v);
      if (!in.isEmpty() && v == null) {
        allKnown = false;
      }
    }
    HostTensor value = null;
    boolean foldable = FixGraph.defaultDomain(n) && !NEVER_FOLD.contains(n.getOpType()) && n.getOutputCount() == 1;
    if (foldable && n.getOpType().equals("Shape") && shape(n.getInput(0)).isStatic()) {
      long[] dims = shape(n.getInput(0)).dims();
      int r = dims.length;
      int start = ConstEval.norm((int) Attrs.i(n, "start", 0), r);
      int end = ConstEval.norm((int) Attrs.i(n, "end", r), r);
      long[] sel = java.util.Arrays.copyOfRange(dims, start, Math.max(start, end));
      value = Tensors.ofLongs(ElementType.INT64, new long[] {sel.length}, sel);
    } else if (foldable && n.getOpType().equals("Size") && shape(n.getInput(0)).isStatic()) {
      long count = HostTensor.elementCount(shape(n.getInput(0)).dims());
      value = Tensors.ofLongs(ElementType.INT64, new long[0], new long[] {count});
    } else if (foldable && allKnown && (n.getInputCount() > 0 || n.getOpType().equals("Constant"))) {
      value = ConstEval.eval(n, ins, opset);
    }
    if (value != null) {
      values.put(n.getOutput(0), value);
      shapes.put(n.getOutput(0), new TypeShape(value.type().wire(), value.shape()));
      return;
    }
    List<TypeShape> inShapes = new ArrayList<>();
    for (String in : n.getInputList()) {
      inShapes.add(shape(in));
    }
    if (!FixGraph.defaultDomain(n)) {
      return;
    }
    TypeShape[] outs;
    try {
      outs = ShapeRules.infer(n, inShapes, this::value, opset);
    } catch (RuntimeException e) {
      outs = null; // inconsistent attributes or shapes: leave unknown, the runtime will say what is wrong
    }
    if (outs == null) {
      return;
    }
    for (int i = 0; i < outs.length && i < n.getOutputCount(); i++) {
      String name = n.getOutput(i);
      if (name.isEmpty() || outs[i] == null) {
        continue;
      }
      TypeShape declared = shapes.get(name);
      shapes.put(name, merge(declared, outs[i]));
    }
  }

  /** Inferred facts win; declared ones fill what inference left unknown. */
  private static TypeShape merge(TypeShape declared, TypeShape inferred) {
    if (declared == null || declared.dims() == null && declared.elemType() == 0) {
      return inferred;
    }
    int type = inferred.elemType() != 0 ? inferred.elemType() : declared.elemType();
    long[] dims = inferred.dims();
    if (dims == null) {
      dims = declared.dims();
    } else if (declared.dims() != null && declared.dims().length == dims.length) {
      dims = dims.clone();
      for (int i = 0; i < dims.length; i++) {
        if (dims[i] < 0) {
          dims[i] = declared.dims()[i];
        }
      }
    }
    return new TypeShape(type, dims);
  }
}
