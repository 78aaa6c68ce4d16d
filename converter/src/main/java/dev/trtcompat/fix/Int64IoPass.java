package dev.trtcompat.fix;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Opt-in ({@code --int64-io}): each INT64 graph input becomes INT32 followed by a Cast to INT64 inside the graph,
 * each INT64 graph output becomes INT32 through a Cast at the end, so TensorRT gets INT32 I/O. Exact for every
 * value that fits in 32 bits; the proof feeds INT32 copies of the inputs and refuses, naming the input, when a
 * value does not fit. Tensors read inside subgraphs, inputs passed straight to outputs and outputs that are
 * inputs or initializers are left alone (renaming them would need the subgraphs rewritten too).
 */
final class Int64IoPass implements FixPass {

  static final String NAME = "int64-io";
  private static final int INT64 = ElementType.INT64.wire();
  private static final int INT32 = ElementType.INT32.wire();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String reason() {
    return "TensorRT before 10.0 has no INT64 bindings; INT32 graph inputs and outputs are taken as they are";
  }

  @Override
  public Set<String> removes() {
    return Set.of("type.cast_down.int64");
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    Set<String> subgraphReads = new HashSet<>();
    g.nodes.forEach(n -> subgraphReads.addAll(SubgraphNames.outerReads(n)));
    Set<String> outs = g.graphOutputNames();
    Set<String> ins = g.graphInputNames();
    boolean changed = false;
    for (int k = 0; k < g.inputs.size(); k++) {
      ValueInfoProto in = g.inputs.get(k);
      String name = in.getName();
      if (elemType(in) != INT64 || g.initializers.containsKey(name) || outs.contains(name)
          || subgraphReads.contains(name)) {
        continue;
      }
      String wide = g.freshName(name + "_int64");
      g.renameReads(name, wide);
      g.nodes.add(0, cast(name, wide, INT64));
      g.inputs.set(k, withElemType(in, INT32));
      g.valueInfo.remove(name);
      changed = true;
    }
    for (int k = 0; k < g.outputs.size(); k++) {
      ValueInfoProto out = g.outputs.get(k);
      String name = out.getName();
      int producer = producerOf(g.nodes, name);
      if (elemType(out) != INT64 || producer < 0 || ins.contains(name) || g.initializers.containsKey(name)
          || subgraphReads.contains(name)) {
        continue;
      }
      String wide = g.freshName(name + "_int64");
      g.renameReads(name, wide);
      NodeProto p = g.nodes.get(producer);
      NodeProto.Builder b = p.toBuilder();
      for (int o = 0; o < b.getOutputCount(); o++) {
        if (b.getOutput(o).equals(name)) {
          b.setOutput(o, wide);
        }
      }
      g.nodes.set(producer, b.build());
      g.nodes.add(cast(wide, name, INT32));
      g.outputs.set(k, withElemType(out, INT32));
      g.valueInfo.remove(name);
      changed = true;
    }
    return changed;
  }

  /** Index of the first value outside INT32's range, or -1 when all fit. */
  static int firstNotFitting(long[] v) {
    for (int i = 0; i < v.length; i++) {
      if (v[i] < Integer.MIN_VALUE || v[i] > Integer.MAX_VALUE) {
        return i;
      }
    }
    return -1;
  }

  private static int producerOf(List<NodeProto> nodes, String name) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).getOutputList().contains(name)) {
        return i;
      }
    }
    return -1;
  }

  private static NodeProto cast(String from, String to, int type) {
    return NodeProto.newBuilder().setOpType("Cast").setName(to + "_cast").addInput(from).addOutput(to)
        .addAttribute(Attrs.ofInt("to", type)).build();
  }

  private static int elemType(ValueInfoProto v) {
    return v.getType().hasTensorType() ? v.getType().getTensorType().getElemType() : 0;
  }

  private static ValueInfoProto withElemType(ValueInfoProto v, int type) {
    ValueInfoProto.Builder b = v.toBuilder();
    b.getTypeBuilder().getTensorTypeBuilder().setElemType(type);
    return b.build();
  }
}
