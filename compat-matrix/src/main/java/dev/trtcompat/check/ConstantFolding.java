package dev.trtcompat.check;

import dev.trtcompat.check.TensorFact.Origin;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forward propagation of what the rules need, one node at a time in file order (ONNX requires topological
 * order): element types, ranks and static dims, and which outputs are constants or foldable from constants
 * and static shapes. Values are computed for the shape-arithmetic chains exporters write
 * (Shape→Gather→Unsqueeze→Concat, Cast, Squeeze, Slice, small integer arithmetic).
 */
final class ConstantFolding {

  /** Dimension marker: known to be dynamic (symbolic at its source). */
  static final long DYNAMIC = -1;
  /** Dimension marker: not computed by this analysis. */
  static final long UNKNOWN = -2;

  private static final Set<String> NEVER_FOLD =
      Set.of("RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Multinomial", "Bernoulli",
          "If", "Loop", "Scan", "NonMaxSuppression", "Dropout");

  private static final Set<String> SAME_SHAPE =
      Set.of("Relu", "Sigmoid", "Tanh", "Abs", "Neg", "Exp", "Log", "Sqrt", "Cast", "CastLike", "Clip", "LeakyRelu",
          "Elu", "Selu", "Celu", "Softmax", "LogSoftmax", "Hardmax", "HardSigmoid", "HardSwish", "Erf", "Identity",
          "BatchNormalization", "Dropout", "Not", "Floor", "Ceil", "Round", "Reciprocal", "Sin", "Cos", "Tan",
          "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "InstanceNormalization",
          "LayerNormalization", "GroupNormalization", "LRN", "Softplus", "Softsign", "PRelu", "Gelu", "Mish",
          "QuantizeLinear", "DequantizeLinear", "Sign", "IsNaN", "IsInf", "ThresholdedRelu", "Shrink",
          "MeanVarianceNormalization", "CumSum", "LpNormalization", "Trilu", "ReverseSequence", "ScatterND",
          "ScatterElements", "Scatter");

  private static final Set<String> SAME_RANK =
      Set.of("Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool", "Resize", "Upsample", "Pad",
          "Transpose", "DepthToSpace", "SpaceToDepth", "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool",
          "Expand", "Tile", "Slice", "DeformConv", "GridSample", "RoiAlign", "MaxRoiPool", "ConvInteger",
          "QLinearConv", "CenterCropPad", "Col2Im");

  private static final Set<String> BROADCAST =
      Set.of("Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "Where", "Equal", "Less", "Greater",
          "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Mod", "BitShift", "BitwiseAnd", "BitwiseOr",
          "BitwiseXor");

  private static final Set<String> BOOL_OUT =
      Set.of("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "Not", "IsNaN",
          "IsInf");

  private static final Set<String> INT64_OUT =
      Set.of("Shape", "Size", "NonZero", "ArgMax", "ArgMin", "NonMaxSuppression");

  private ConstantFolding() {}

  static void infer(NodeProto n, Map<String, TensorFact> tensors) {
    String op = n.getOpType();
    if (n.getOutputCount() == 0) {
      return;
    }
    List<TensorFact> ins = new ArrayList<>(n.getInputCount());
    boolean allConst = n.getInputCount() > 0 || op.equals("Constant");
    for (int k = 0, count = n.getInputCount(); k < count; k++) {
      String in = n.getInput(k);
      TensorFact f = in.isEmpty() ? null : tensors.get(in);
      ins.add(f);
      if (!in.isEmpty() && (f == null || !f.origin().isConstant())) {
        allConst = false;
      }
    }
    boolean defaultDomain = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
    if (!defaultDomain || NEVER_FOLD.contains(op)) {
      allConst = false;
    }
    TensorFact out;
    if (defaultDomain && op.equals("Constant")) {
      out = constantNode(n);
    } else if (defaultDomain && op.equals("Shape")) {
      out = shape(n, first(ins));
    } else {
      Origin origin = allConst ? Origin.FOLDABLE : Origin.RUNTIME;
      ElementType type = defaultDomain ? outputType(n, ins) : null;
      List<Long> dims = defaultDomain ? outputDims(op, ins) : null;
      long[] values = allConst && defaultDomain ? foldValues(n, ins) : null;
      if (values != null && dims == null) {
        dims = List.of((long) values.length);
      }
      out = new TensorFact(type, dims, origin, values, null, null);
    }
    merge(tensors, n.getOutput(0), out);
    for (int i = 1; i < n.getOutputCount(); i++) {
      String name = n.getOutput(i);
      if (!name.isEmpty()) {
        ElementType t = (op.equals("TopK") && i == 1) || (op.equals("MaxPool") && i == 1)
            ? ElementType.INT64 : (op.equals("Split") ? out.type() : null);
        merge(tensors, name, new TensorFact(t, null, allConst ? Origin.FOLDABLE : Origin.RUNTIME, null, null, null));
      }
    }
  }

  /** Keeps declared (value_info) type and dims where the analysis has none; the computed origin always wins. */
  private static void merge(Map<String, TensorFact> tensors, String name, TensorFact computed) {
    if (name.isEmpty()) {
      return;
    }
    TensorFact declared = tensors.putIfAbsent(name, computed); // one probe for the usual undeclared output
    if (declared == null) {
      return;
    }
    ElementType t = declared.type() != null ? declared.type() : computed.type();
    List<Long> dims = declared.dims() != null ? declared.dims() : computed.dims();
    tensors.put(name, new TensorFact(t, dims, computed.origin(), computed.values(), computed.allZero(), null));
  }

  private static TensorFact first(List<TensorFact> ins) {
    return ins.isEmpty() ? null : ins.get(0);
  }

  private static TensorFact constantNode(NodeProto n) {
    for (AttributeProto a : n.getAttributeList()) {
      switch (a.getName()) {
        case "value" -> {
          TensorProto t = a.getT();
          ElementType type = ElementType.fromWire(t.getDataType()).orElse(null);
          return new TensorFact(type, List.copyOf(t.getDimsList()), Origin.CONSTANT_NODE,
              ConstantValues.integers(t), ConstantValues.allZero(t), null);
        }
        case "value_int" -> {
          return new TensorFact(ElementType.INT64, List.of(), Origin.CONSTANT_NODE, new long[] {a.getI()},
              a.getI() == 0, null);
        }
        case "value_ints" -> {
          long[] v = a.getIntsList().stream().mapToLong(Long::longValue).toArray();
          return new TensorFact(ElementType.INT64, List.of((long) v.length), Origin.CONSTANT_NODE, v,
              Arrays.stream(v).allMatch(x -> x == 0), null);
        }
        case "value_float" -> {
          return new TensorFact(ElementType.FLOAT, List.of(), Origin.CONSTANT_NODE, null, a.getF() == 0f, null);
        }
        case "value_floats" -> {
          return new TensorFact(ElementType.FLOAT, List.of((long) a.getFloatsCount()), Origin.CONSTANT_NODE, null,
              a.getFloatsList().stream().allMatch(f -> f == 0f), null);
        }
        default -> { }
      }
    }
    return new TensorFact(null, null, Origin.CONSTANT_NODE, null, null, null);
  }

  private static TensorFact shape(NodeProto n, TensorFact in) {
    if (in == null || in.dims() == null) {
      return new TensorFact(ElementType.INT64, List.of(UNKNOWN), Origin.RUNTIME, null, null, null);
    }
    int rank = in.dims().size();
    int start = (int) intAttr(n, "start", 0);
    int end = (int) intAttr(n, "end", rank);
    start = clamp(start < 0 ? start + rank : start, rank);
    end = clamp(end < 0 ? end + rank : end, rank);
    List<Long> sel = in.dims().subList(start, Math.max(start, end));
    List<Long> outDims = List.of((long) sel.size());
    if (sel.stream().allMatch(d -> d >= 0)) {
      long[] v = sel.stream().mapToLong(Long::longValue).toArray();
      return new TensorFact(ElementType.INT64, outDims, Origin.FOLDABLE, v, null, null);
    }
    return new TensorFact(ElementType.INT64, outDims, Origin.RUNTIME, null, null, null);
  }

  private static int clamp(int v, int rank) {
    return Math.max(0, Math.min(rank, v));
  }

  static long intAttr(NodeProto n, String name, long dflt) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }

  private static ElementType outputType(NodeProto n, List<TensorFact> ins) {
    String op = n.getOpType();
    if (op.equals("Cast")) {
      return ElementType.fromWire((int) intAttr(n, "to", 0)).orElse(null);
    }
    if (BOOL_OUT.contains(op)) {
      return ElementType.BOOL;
    }
    if (INT64_OUT.contains(op)) {
      return ElementType.INT64;
    }
    if (op.equals("ConstantOfShape")) {
      for (AttributeProto a : n.getAttributeList()) {
        if (a.getName().equals("value")) {
          return ElementType.fromWire(a.getT().getDataType()).orElse(null);
        }
      }
      return ElementType.FLOAT;
    }
    if (op.equals("QuantizeLinear")) {
      TensorFact zp = ins.size() > 2 ? ins.get(2) : null;
      return zp != null && zp.type() != null ? zp.type() : ElementType.UINT8;
    }
    if (op.equals("DequantizeLinear")) {
      TensorFact scale = ins.size() > 1 ? ins.get(1) : null;
      return scale != null && scale.type() != null ? scale.type() : ElementType.FLOAT;
    }
    if (op.equals("Where")) {
      TensorFact x = ins.size() > 1 ? ins.get(1) : null;
      return x == null ? null : x.type();
    }
    TensorFact in = first(ins);
    return in == null ? null : in.type();
  }

  private static List<Long> outputDims(String op, List<TensorFact> ins) {
    TensorFact in = first(ins);
    if (in == null || in.dims() == null) {
      return null;
    }
    if (SAME_SHAPE.contains(op)) {
      return in.dims();
    }
    if (SAME_RANK.contains(op)) {
      return Collections.nCopies(in.dims().size(), UNKNOWN);
    }
    if (BROADCAST.contains(op)) {
      return broadcast(ins);
    }
    return null;
  }

  private static List<Long> broadcast(List<TensorFact> ins) {
    int rank = 0;
    for (TensorFact f : ins) {
      if (f == null || f.dims() == null) {
        return null;
      }
      rank = Math.max(rank, f.dims().size());
    }
    Long[] out = new Long[rank];
    Arrays.fill(out, 1L);
    for (TensorFact f : ins) {
      int off = rank - f.dims().size();
      for (int i = 0; i < f.dims().size(); i++) {
        long d = f.dims().get(i);
        long cur = out[off + i];
        if (d < 0 || cur < 0) {
          out[off + i] = (d == 1) ? cur : (cur == 1 ? d : UNKNOWN);
        } else {
          out[off + i] = Math.max(cur, d);
        }
      }
    }
    return List.of(out);
  }

  /** Values of the integer shape-arithmetic ops exporters emit; null when not computed. */
  private static long[] foldValues(NodeProto n, List<TensorFact> ins) {
    TensorFact a = first(ins);
    long[] av = a == null ? null : a.values();
    switch (n.getOpType()) {
      case "Identity", "Cast", "Unsqueeze", "Squeeze", "Reshape", "Flatten" -> {
        return av;
      }
      case "Size" -> {
        return a != null && a.isStatic() ? new long[] {a.dims().stream().reduce(1L, (x, y) -> x * y)} : null;
      }
      case "Concat" -> {
        long[] acc = new long[0];
        for (TensorFact f : ins) {
          if (f == null || f.values() == null) {
            return null;
          }
          long[] merged = Arrays.copyOf(acc, acc.length + f.values().length);
          System.arraycopy(f.values(), 0, merged, acc.length, f.values().length);
          acc = merged;
        }
        return acc;
      }
      case "Gather" -> {
        TensorFact idx = ins.size() > 1 ? ins.get(1) : null;
        if (av == null || idx == null || idx.values() == null || intAttr(n, "axis", 0) != 0) {
          return null;
        }
        long[] out = new long[idx.values().length];
        for (int i = 0; i < out.length; i++) {
          long k = idx.values()[i] < 0 ? idx.values()[i] + av.length : idx.values()[i];
          if (k < 0 || k >= av.length) {
            return null;
          }
          out[i] = av[(int) k];
        }
        return out;
      }
      case "Add", "Sub", "Mul", "Div" -> {
        TensorFact b = ins.size() > 1 ? ins.get(1) : null;
        if (av == null || b == null || b.values() == null) {
          return null;
        }
        long[] bv = b.values();
        int len = Math.max(av.length, bv.length);
        if ((av.length != len && av.length != 1) || (bv.length != len && bv.length != 1)) {
          return null;
        }
        long[] out = new long[len];
        for (int i = 0; i < len; i++) {
          long x = av[av.length == 1 ? 0 : i];
          long y = bv[bv.length == 1 ? 0 : i];
          switch (n.getOpType()) {
            case "Add" -> out[i] = x + y;
            case "Sub" -> out[i] = x - y;
            case "Mul" -> out[i] = x * y;
            default -> {
              if (y == 0) {
                return null;
              }
              out[i] = Math.floorDiv(x, y);
            }
          }
        }
        return out;
      }
      default -> {
        return null;
      }
    }
  }
}
