package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.reference.HostTensor;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stores INT64 initializers as INT32 and turns Cast-to-INT64 into Cast-to-INT32, but only where every reader's
 * ONNX schema accepts INT32 at that input (Gather/GatherElements/ScatterElements indices, all of a Slice's
 * starts/ends/axes/steps together) and every value fits in 32 bits; a value that does not fit is reported by
 * name instead. Shape-typed inputs (Reshape, Expand, Tile, Pad, ...) are INT64-only in ONNX and stay.
 */
final class Int64ToInt32Pass implements FixPass {

  private static final int INT64 = ElementType.INT64.wire();
  private static final int INT32 = ElementType.INT32.wire();

  @Override
  public String name() {
    return "int64-to-int32";
  }

  @Override
  public String reason() {
    return "TensorRT before 10.0 has no INT64 and casts such weights down, clamping values that do not fit";
  }

  @Override
  public Set<String> removes() {
    return Set.of("type.cast_down.int64");
  }

  /** Whether input {@code i} of {@code n} accepts INT32 where it now has INT64, on its own. */
  private static boolean acceptsInt32(NodeProto n, int i) {
    if (!FixGraph.defaultDomain(n)) {
      return false;
    }
    return switch (n.getOpType()) {
      case "Gather", "GatherElements", "ScatterElements" -> i == 1;
      default -> false;
    };
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    Map<String, List<NodeProto>> readers = g.consumers();
    Set<String> outs = g.graphOutputNames();
    Set<String> ins = g.graphInputNames();
    boolean changed = false;
    for (TensorProto t : List.copyOf(g.initializers.values())) {
      if (t.getDataType() != INT64 || outs.contains(t.getName()) || ins.contains(t.getName())) {
        continue;
      }
      List<NodeProto> rs = readers.getOrDefault(t.getName(), List.of());
      if (rs.isEmpty() || !rs.stream().allMatch(n -> readsOnlyAt(n, t.getName(), g))) {
        continue;
      }
      HostTensor v = Tensors.decode(t).orElse(null);
      if (v == null) {
        ctx.note(name(), "INT64 initializer '" + t.getName() + "' is too large to check; left as INT64");
        continue;
      }
      long[] values = Tensors.longs(v);
      int bad = Int64IoPass.firstNotFitting(values);
      if (bad >= 0) {
        ctx.note(name(), "INT64 initializer '" + t.getName() + "' keeps INT64: element " + bad + " = " + values[bad]
            + " does not fit in INT32");
        continue;
      }
      g.initializers.put(t.getName(), Tensors.encode(t.getName(), Tensors.ofLongs(ElementType.INT32, v.shape(), values)));
      changed = true;
    }
    for (int k = 0; k < g.nodes.size(); k++) {
      NodeProto n = g.nodes.get(k);
      if (!n.getOpType().equals("Cast") || !FixGraph.defaultDomain(n) || Attrs.i(n, "to", 0) != INT64
          || outs.contains(n.getOutput(0))) {
        continue;
      }
      List<NodeProto> rs = readers.getOrDefault(n.getOutput(0), List.of());
      if (!rs.isEmpty() && rs.stream().allMatch(r -> readsOnlyAt(r, n.getOutput(0), g))) {
        g.nodes.set(k, Attrs.without(n, "to").toBuilder().addAttribute(Attrs.ofInt("to", INT32)).build());
        g.valueInfo.remove(n.getOutput(0));
        changed = true;
      }
    }
    return changed;
  }

  /** Every position at which {@code n} reads {@code name} accepts INT32 (Slice: all index inputs convertible). */
  private static boolean readsOnlyAt(NodeProto n, String name, FixGraph g) {
    for (int i = 0; i < n.getInputCount(); i++) {
      if (!n.getInput(i).equals(name)) {
        continue;
      }
      if (n.getOpType().equals("Slice") && FixGraph.defaultDomain(n) && i >= 1) {
        if (!sliceIndicesConvertible(n, g)) {
          return false;
        }
      } else if (!acceptsInt32(n, i)) {
        return false;
      }
    }
    return true;
  }

  /** Slice's index inputs share one type: all must be INT64 initializers that fit and only Slices read. */
  private static boolean sliceIndicesConvertible(NodeProto n, FixGraph g) {
    for (int i = 1; i < n.getInputCount(); i++) {
      String in = n.getInput(i);
      if (in.isEmpty()) {
        continue;
      }
      TensorProto t = g.initializers.get(in);
      if (t == null || (t.getDataType() != INT64 && t.getDataType() != INT32)) {
        return false;
      }
      if (t.getDataType() == INT64) {
        HostTensor v = Tensors.decode(t).orElse(null);
        if (v == null || Int64IoPass.firstNotFitting(Tensors.longs(v)) >= 0) {
          return false;
        }
      }
      for (NodeProto r : g.consumers().getOrDefault(in, List.of())) {
        if (!r.getOpType().equals("Slice")) {
          return false;
        }
      }
    }
    return true;
  }
}
