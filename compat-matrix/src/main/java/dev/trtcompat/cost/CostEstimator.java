package dev.trtcompat.cost;

import dev.trtcompat.cost.ModelCost.OpCost;
import dev.trtcompat.cost.ModelCost.Uncounted;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.OnnxGraph;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorShapeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Estimates a model's parameters and multiply-accumulates from its main graph's shapes (see {@link ModelCost} for
 * what is counted). Dynamic input dimensions are taken from the caller's shapes, else set to 1, and every such
 * choice is listed in {@link ModelCost#assumptions()}: the figures are per the stated shapes.
 */
public final class CostEstimator {

  private static final Set<ElementType> FLOATING = Set.of(ElementType.FLOAT, ElementType.FLOAT16,
      ElementType.BFLOAT16, ElementType.DOUBLE, ElementType.FLOAT8E4M3FN, ElementType.FLOAT8E4M3FNUZ,
      ElementType.FLOAT8E5M2, ElementType.FLOAT8E5M2FNUZ, ElementType.FLOAT4E2M1);

  private CostEstimator() {}

  /** With every dynamic input dimension set to 1. */
  public static ModelCost estimate(OnnxModel model) {
    return estimate(model, Map.of());
  }

  /**
   * @param inputShapes graph input name to its full shape, overriding what the file declares (e.g. a batch of 8)
   */
  public static ModelCost estimate(OnnxModel model, Map<String, long[]> inputShapes) {
    OnnxGraph g = model.graph();
    ShapePropagation shapes = new ShapePropagation();
    List<String> assumptions = new ArrayList<>();
    Map<String, Long> dimNames = new HashMap<>();
    Set<String> initializerNames = new HashSet<>();
    for (TensorInfo t : g.initializers()) {
      initializerNames.add(t.name());
      shapes.shapes.put(t.name(), t.dims().stream().mapToLong(Long::longValue).toArray());
      if (t.elemType() == ElementType.INT64 || t.elemType() == ElementType.INT32) {
        long[] v = ShapePropagation.littleEndian(t.smallValue(), t.elemType() == ElementType.INT64 ? 8 : 4);
        if (v != null) {
          shapes.integers.put(t.name(), v);
        }
      }
    }
    for (ValueInfoProto in : g.inputs()) {
      if (initializerNames.contains(in.getName())) {
        continue;
      }
      long[] given = inputShapes.get(in.getName());
      long[] s = given != null ? given.clone() : inputShape(in, dimNames, assumptions);
      if (s != null) {
        shapes.shapes.put(in.getName(), s);
      }
    }
    Map<String, long[]> declared = new HashMap<>();
    for (ValueInfoProto v : g.valueInfo()) {
      long[] s = declaredShape(v, dimNames);
      if (s != null) {
        declared.put(v.getName(), s);
      }
    }

    Set<String> dequantized = new HashSet<>();
    Map<String, long[]> perOp = new LinkedHashMap<>();
    List<Uncounted> uncounted = new ArrayList<>();
    long parameters = 0;
    long parameterBytes = 0;
    long macs = 0;
    List<NodeProto> nodes = g.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      NodeProto n = nodes.get(i);
      if (n.getOpType().equals("DequantizeLinear") && n.getInputCount() > 0) {
        dequantized.add(n.getInput(0));
      }
      if (n.getOpType().equals("Constant")) {
        long[] w = constantWeight(n);
        parameters += w[0];
        parameterBytes += w[1];
      }
      shapes.infer(n);
      for (String out : n.getOutputList()) {
        if (!shapes.shapes.containsKey(out) && declared.containsKey(out)) {
          shapes.shapes.put(out, declared.get(out));
        }
      }
      if (!ModelCost.COUNTED_OPS.contains(n.getOpType()) || !isDefaultDomain(n)) {
        continue;
      }
      Long m = macs(n, shapes);
      String name = n.getName().isEmpty() ? n.getOpType() + "_" + i : n.getName();
      if (m == null) {
        uncounted.add(new Uncounted(i, name, n.getOpType(), "input or output shapes unknown"));
        continue;
      }
      macs = Math.addExact(macs, m);
      long[] acc = perOp.computeIfAbsent(n.getOpType(), k -> new long[2]);
      acc[0]++;
      acc[1] += m;
    }
    for (TensorInfo t : g.initializers()) {
      if (FLOATING.contains(t.elemType()) || dequantized.contains(t.name())) {
        parameters += t.elementCount();
        parameterBytes += t.payloadBytes();
      }
    }
    Map<String, OpCost> ops = new LinkedHashMap<>();
    perOp.forEach((op, acc) -> ops.put(op, new OpCost((int) acc[0], acc[1])));
    return new ModelCost(parameters, parameterBytes, macs, Math.multiplyExact(macs, 2), ops, uncounted, assumptions);
  }

  /** Multiply-accumulates of one counted node, or null when a needed shape is unknown. */
  private static Long macs(NodeProto n, ShapePropagation shapes) {
    if (n.getInputCount() < 2) {
      return null;
    }
    long[] a = shapes.shape(n.getInput(0));
    long[] b = shapes.shape(n.getInput(1));
    if (a == null || b == null) {
      return null;
    }
    switch (n.getOpType()) {
      case "Conv" -> {
        // Each output element sums (Cin / group) x kernel products: the weight's dims after the first.
        long[] out = shapes.shape(n.getOutput(0));
        return out == null || b.length < 2 ? null
            : ShapePropagation.product(out) * ShapePropagation.product(Arrays.copyOfRange(b, 1, b.length));
      }
      case "ConvTranspose" -> {
        // Each input element is scattered onto (Cout / group) x kernel outputs.
        return b.length < 2 ? null
            : ShapePropagation.product(a) * ShapePropagation.product(Arrays.copyOfRange(b, 1, b.length));
      }
      case "Gemm" -> {
        if (a.length != 2 || b.length != 2) {
          return null;
        }
        boolean ta = ShapePropagation.attrInt(n, "transA", 0) == 1;
        boolean tb = ShapePropagation.attrInt(n, "transB", 0) == 1;
        long m = ta ? a[1] : a[0];
        long k = ta ? a[0] : a[1];
        long cols = tb ? b[0] : b[1];
        return m * k * cols;
      }
      default -> {
        long[] out = ShapePropagation.matMul(a, b);
        return out == null ? null : ShapePropagation.product(out) * a[a.length - 1];
      }
    }
  }

  /** A graph input's shape with symbolic dims set to 1 (the same value for the same name), recorded. */
  private static long[] inputShape(ValueInfoProto in, Map<String, Long> dimNames, List<String> assumptions) {
    if (!in.getType().hasTensorType() || !in.getType().getTensorType().hasShape()) {
      return null;
    }
    List<TensorShapeProto.Dimension> dims = in.getType().getTensorType().getShape().getDimList();
    long[] s = new long[dims.size()];
    for (int i = 0; i < s.length; i++) {
      TensorShapeProto.Dimension d = dims.get(i);
      if (d.hasDimValue() && d.getDimValue() > 0) {
        s[i] = d.getDimValue();
      } else {
        String label = d.hasDimParam() && !d.getDimParam().isEmpty() ? d.getDimParam() : null;
        if (label != null && !dimNames.containsKey(label)) {
          dimNames.put(label, 1L);
          assumptions.add(label + " = 1");
        } else if (label == null) {
          assumptions.add(in.getName() + "[" + i + "] = 1");
        }
        s[i] = 1;
      }
    }
    return s;
  }

  /** A value_info shape when every dim is fixed or a symbolic name already resolved from the inputs. */
  private static long[] declaredShape(ValueInfoProto v, Map<String, Long> dimNames) {
    if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
      return null;
    }
    List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
    long[] s = new long[dims.size()];
    for (int i = 0; i < s.length; i++) {
      TensorShapeProto.Dimension d = dims.get(i);
      if (d.hasDimValue() && d.getDimValue() >= 0) {
        s[i] = d.getDimValue();
      } else if (d.hasDimParam() && dimNames.containsKey(d.getDimParam())) {
        s[i] = dimNames.get(d.getDimParam());
      } else {
        return null;
      }
    }
    return s;
  }

  /** {elements, bytes} of a Constant node's floating-point value; zero for integer constants. */
  private static long[] constantWeight(NodeProto n) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("value") && a.hasT()) {
        ElementType type = ElementType.fromWire(a.getT().getDataType()).orElse(null);
        if (type != null && FLOATING.contains(type)) {
          long count = a.getT().getDimsList().stream().reduce(1L, (x, y) -> x * y);
          return new long[] {count, type.bytesFor(count)};
        }
      }
    }
    return new long[] {0, 0};
  }

  private static boolean isDefaultDomain(NodeProto n) {
    return n.getDomain().isEmpty() || n.getDomain().equals(OnnxModel.DEFAULT_DOMAIN);
  }
}
