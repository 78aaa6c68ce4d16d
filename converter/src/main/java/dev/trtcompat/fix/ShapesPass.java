package dev.trtcompat.fix;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * Gives dynamic inputs the fixed shapes the user chose, then records every shape and type inference can
 * compute as value_info, so later passes (and TensorRT) see static shapes.
 */
final class ShapesPass implements FixPass {

  @Override
  public String name() {
    return "shapes";
  }

  @Override
  public String reason() {
    return "fixed input shapes make Shape-based subgraphs constant and need no optimization profile";
  }

  @Override
  public Set<String> removes() {
    return Set.of("input.dynamic_shape", "input.unknown_rank");
  }

  /**
   * Refuses shapes naming no input, with another rank, or contradicting a fixed dimension, before any pass
   * runs (bad input loses nothing).
   */
  static void validate(FixGraph g, dev.trtcompat.reference.InputShapes shapes) {
    Set<String> inits = g.initializers.keySet();
    for (Map.Entry<String, long[]> e : shapes.byName().entrySet()) {
      ValueInfoProto v = g.inputs.stream().filter(i -> i.getName().equals(e.getKey()) && !inits.contains(i.getName()))
          .findFirst().orElseThrow(() -> new UserFacingException(Kind.BAD_REQUEST, "unknown_input",
              "--shapes names '" + e.getKey() + "', which is not an input of the model; its inputs are "
                  + g.inputs.stream().map(ValueInfoProto::getName).filter(n -> !inits.contains(n)).toList()));
      TypeShape declared = TypeShape.of(v);
      long[] given = e.getValue();
      if (declared.dims() == null) {
        continue;
      }
      if (declared.rank() != given.length) {
        throw new UserFacingException(Kind.BAD_REQUEST, "invalid_input_shape",
            "input '" + e.getKey() + "' has rank " + declared.rank() + " but --shapes gives " + given.length
                + " dims (" + Arrays.toString(given) + ")");
      }
      for (int i = 0; i < given.length; i++) {
        if (declared.dims()[i] >= 0 && declared.dims()[i] != given[i]) {
          throw new UserFacingException(Kind.BAD_REQUEST, "invalid_input_shape",
              "input '" + e.getKey() + "' has fixed dimension " + i + " = " + declared.dims()[i]
                  + " but --shapes gives " + given[i]);
        }
      }
    }
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    boolean changed = false;
    for (int i = 0; i < g.inputs.size(); i++) {
      ValueInfoProto v = g.inputs.get(i);
      long[] given = ctx.shapes.byName().get(v.getName());
      if (given == null) {
        continue;
      }
      ValueInfoProto fixed = new TypeShape(TypeShape.of(v).elemType(), given).toValueInfo(v.getName());
      if (!fixed.equals(v.toBuilder().clearDocString().build())) {
        g.inputs.set(i, fixed);
        changed = true;
      }
    }
    Analysis a = Analysis.of(g);
    Set<String> outs = g.graphOutputNames();
    for (NodeProto n : g.nodes) {
      for (String o : n.getOutputList()) {
        TypeShape t = a.shape(o);
        if (o.isEmpty() || t.elemType() == 0 || t.dims() == null || outs.contains(o)) {
          continue;
        }
        ValueInfoProto vi = t.toValueInfo(o);
        ValueInfoProto old = g.valueInfo.get(o);
        if (old == null || (!old.equals(vi) && more(t, TypeShape.of(old)))) {
          g.valueInfo.put(o, vi);
          changed = true;
        }
      }
    }
    for (int i = 0; i < g.outputs.size(); i++) {
      ValueInfoProto o = g.outputs.get(i);
      TypeShape t = a.shape(o.getName());
      TypeShape declared = TypeShape.of(o);
      if (t.isStatic() && t.elemType() != 0 && !declared.isStatic()
          && (declared.dims() == null || declared.rank() == t.rank())) {
        g.outputs.set(i, t.toValueInfo(o.getName()));
        changed = true;
      }
    }
    return changed;
  }

  /** Whether {@code t} knows more dims than {@code old}: only then is a declared value_info replaced. */
  private static boolean more(TypeShape t, TypeShape old) {
    if (old.dims() == null) {
      return true;
    }
    if (old.rank() != t.rank()) {
      return false;
    }
    long known = Arrays.stream(t.dims()).filter(d -> d >= 0).count();
    long oldKnown = Arrays.stream(old.dims()).filter(d -> d >= 0).count();
    return known > oldKnown;
  }
}
