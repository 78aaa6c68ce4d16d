package dev.trtcompat.fix;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Removes what the graph does not need: Identity nodes (readers take the Identity's input), nodes none of
 * whose outputs is read, duplicate initializers (same type, dims and bytes; small ones only), initializers
 * nothing reads, graph inputs nothing reads, and value infos of tensors that no longer exist.
 */
final class CleanUpPass implements FixPass {

  /** Initializers up to this size are compared byte by byte for duplicates. */
  private static final int DEDUP_LIMIT = 64 * 1024;

  @Override
  public String name() {
    return "clean-up";
  }

  @Override
  public String reason() {
    return "fewer nodes and tensors: dead code and Identity chains cost parser work and hide foldable patterns";
  }

  @Override
  public Set<String> removes() {
    return Set.of();
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    boolean changed = identities(g);
    changed |= duplicates(g);
    changed |= dead(g);
    return changed;
  }

  /** An Identity whose output is not a graph output disappears; its readers read its input. */
  private static boolean identities(FixGraph g) {
    Set<String> outs = g.graphOutputNames();
    boolean changed = false;
    for (int i = 0; i < g.nodes.size(); i++) {
      NodeProto n = g.nodes.get(i);
      if (n.getOpType().equals("Identity") && FixGraph.defaultDomain(n) && n.getInputCount() == 1
          && n.getOutputCount() == 1 && !outs.contains(n.getOutput(0)) && !n.getInput(0).isEmpty()
          && !readBySubgraph(g, n.getOutput(0))) {
        g.nodes.remove(i--);
        g.renameReads(n.getOutput(0), n.getInput(0));
        g.valueInfo.remove(n.getOutput(0));
        changed = true;
      }
    }
    return changed;
  }

  private static boolean readBySubgraph(FixGraph g, String name) {
    for (NodeProto n : g.nodes) {
      if (SubgraphNames.outerReads(n).contains(name)) {
        return true;
      }
    }
    return false;
  }

  private record Key(int type, List<Long> dims, ByteString bytes) {}

  private static boolean duplicates(FixGraph g) {
    Map<Key, String> first = new HashMap<>();
    Set<String> outs = g.graphOutputNames();
    Set<String> ins = g.graphInputNames();
    Map<String, String> replace = new HashMap<>();
    for (TensorProto t : g.initializers.values()) {
      if (!t.hasRawData() || t.getRawData().size() > DEDUP_LIMIT || outs.contains(t.getName())
          || ins.contains(t.getName())) {
        continue;
      }
      Key k = new Key(t.getDataType(), t.getDimsList(), t.getRawData());
      String kept = first.putIfAbsent(k, t.getName());
      if (kept != null && !readBySubgraph(g, t.getName())) {
        replace.put(t.getName(), kept);
      }
    }
    replace.forEach((dup, kept) -> {
      g.renameReads(dup, kept);
      g.initializers.remove(dup);
    });
    return !replace.isEmpty();
  }

  /** Repeatedly drops nodes none of whose outputs is used, then unused initializers and inputs. */
  private static boolean dead(FixGraph g) {
    boolean changed = false;
    boolean again = true;
    while (again) {
      again = false;
      Map<String, Integer> uses = g.useCounts();
      List<NodeProto> kept = new ArrayList<>();
      for (NodeProto n : g.nodes) {
        boolean used = n.getOutputList().stream().anyMatch(o -> !o.isEmpty() && uses.containsKey(o));
        if (used) {
          kept.add(n);
        } else {
          again = true;
        }
      }
      if (again) {
        g.nodes.clear();
        g.nodes.addAll(kept);
        changed = true;
      }
    }
    Map<String, Integer> uses = g.useCounts();
    changed |= g.initializers.keySet().removeIf(name -> !uses.containsKey(name));
    List<ValueInfoProto> inputs = new ArrayList<>(g.inputs);
    inputs.removeIf(v -> !uses.containsKey(v.getName()));
    if (inputs.size() != g.inputs.size()) {
      g.inputs.clear();
      g.inputs.addAll(inputs);
      changed = true;
    }
    Set<String> produced = new java.util.HashSet<>();
    g.nodes.forEach(n -> produced.addAll(n.getOutputList()));
    changed |= g.valueInfo.keySet().removeIf(name -> !produced.contains(name) && !Objects.equals(name, ""));
    return changed;
  }
}
