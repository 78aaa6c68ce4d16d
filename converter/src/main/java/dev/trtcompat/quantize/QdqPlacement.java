package dev.trtcompat.quantize;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * Where Q/DQ pairs go, following TensorRT's explicit-quantization placement recommendations (NVIDIA TensorRT
 * Developer Guide, "Explicit Quantization", section "Q/DQ Layer-Placement Recommendations",
 * https://docs.nvidia.com/deeplearning/tensorrt/latest/inference-library/quantized-types-explicit-quantization.html):
 *
 * <ol>
 *   <li><b>Weighted operations</b> (Conv, ConvTranspose, Gemm, MatMul): every activation input gets a per-tensor
 *       Q/DQ; a constant weight gets a per-channel Q/DQ on its output-channel axis (Conv: 0; Gemm: 0 with transB=1,
 *       else 1; MatMul: the last axis; ConvTranspose: 1 when group is 1, else per tensor). Biases stay FP32: TensorRT
 *       fuses them in higher precision. Weights stay FP32 in the file with a Q/DQ pair on them; TensorRT quantizes
 *       them at build time with the Q scale (the guide's "Quantized Weights"), which every release with explicit
 *       quantization (8.0+) accepts.
 *   <li><b>Pooling</b> (MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool): the input gets a Q/DQ so that the
 *       pooling runs in INT8 instead of forcing a dequantize in front of it.
 *   <li><b>Residual Add</b>: an Add fed by a weighted operation (directly or through BatchNormalization) whose
 *       output only the Add reads is the residual fusion: TensorRT fuses the Add into that operation, which adds the
 *       residual to its accumulator, so that input is not quantized; every other non-constant input (the residual,
 *       or skip, branch) gets a Q/DQ (the guide: "Quantize the residual input in skip-connections"). Quantizing the
 *       fused input as well would round the operation's pre-activation output to INT8, a quantization TensorRT
 *       does not do and that blocks the fusion. When no input can be fused (the weighted output has other
 *       readers), every non-constant input gets a Q/DQ so the Add still reads INT8.
 *   <li><b>Outputs are not quantized</b>: Q/DQ sits on inputs only (the guide's default). A tensor gets one Q/DQ
 *       pair shared by every quantized consumer, so all of them see the same scale; consumers not listed above keep
 *       the FP32 tensor.
 * </ol>
 *
 * Nodes named in the exclusion list (by node name or operator type) get no Q/DQ on their inputs.
 */
final class QdqPlacement {

  static final Set<String> WEIGHTED = Set.of("Conv", "ConvTranspose", "Gemm", "MatMul");
  static final Set<String> POOLING = Set.of("MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool");

  /** A constant weight quantized with one scale per slice along {@code axis} (-1: one scale for all). */
  record WeightSite(String tensor, int axis) {}

  /**
   * @param activations tensor to the indices of the nodes that read its dequantized form
   * @param weights weight sites to the indices of the nodes that read them
   * @param excludedNodes names (or op type and index) of the nodes left out by the exclusion list
   */
  record Plan(Map<String, Set<Integer>> activations, Map<WeightSite, Set<Integer>> weights, List<String> excludedNodes) {

    /** The indices of the nodes that read a quantized input (the plan's layers), in graph order. */
    SortedSet<Integer> layers() {
      SortedSet<Integer> out = new TreeSet<>();
      activations.values().forEach(out::addAll);
      weights.values().forEach(out::addAll);
      return out;
    }

    /** The plan with only {@code node}'s inputs quantized (every other layer reads FP32). */
    Plan only(int node) {
      return new Plan(keep(activations, Set.of(node)::contains), keep(weights, Set.of(node)::contains), excludedNodes);
    }

    /** The plan with {@code nodes} left in FP32, their names ({@code names}) added to the excluded list. */
    Plan without(Set<Integer> nodes, List<String> names) {
      List<String> excluded = new ArrayList<>(excludedNodes);
      excluded.addAll(names);
      return new Plan(keep(activations, i -> !nodes.contains(i)), keep(weights, i -> !nodes.contains(i)), excluded);
    }

    /** Each site with the consumers that pass {@code test}; a site with none left is dropped. */
    private static <K> Map<K, Set<Integer>> keep(Map<K, Set<Integer>> sites, IntPredicate test) {
      Map<K, Set<Integer>> out = new LinkedHashMap<>();
      sites.forEach((k, consumers) -> {
        Set<Integer> kept = new LinkedHashSet<>();
        consumers.stream().filter(test::test).forEach(kept::add);
        if (!kept.isEmpty()) {
          out.put(k, kept);
        }
      });
      return out;
    }
  }

  /** The name a node is reported by: its own, or its operator and index when it has none. */
  static String nodeLabel(NodeProto n, int index) {
    return n.getName().isEmpty() ? n.getOpType() + " #" + index : n.getName();
  }

  private QdqPlacement() {}

  static Plan plan(GraphIndex g, List<String> exclude) {
    Set<String> unmatched = new LinkedHashSet<>(exclude);
    Map<String, Set<Integer>> activations = new LinkedHashMap<>();
    Map<WeightSite, Set<Integer>> weights = new LinkedHashMap<>();
    List<String> excludedNodes = new ArrayList<>();
    for (int i = 0; i < g.graph().getNodeCount(); i++) {
      NodeProto n = g.node(i);
      if (!GraphIndex.isDefaultDomain(n)) {
        continue;
      }
      String op = n.getOpType();
      unmatched.remove(n.getName());
      unmatched.remove(op);
      if (exclude.contains(n.getName()) || exclude.contains(op)) {
        if (WEIGHTED.contains(op) || POOLING.contains(op) || op.equals("Add")) {
          excludedNodes.add(nodeLabel(n, i));
        }
        continue;
      }
      if (WEIGHTED.contains(op)) {
        placeWeighted(g, i, n, activations, weights);
      } else if (POOLING.contains(op) && n.getInputCount() > 0) {
        activation(g, n.getInput(0), i, activations);
      } else if (op.equals("Add") && fedByWeightedOp(g, n)) {
        Optional<String> fused = fusedInput(g, n);
        for (String in : n.getInputList()) {
          if (fused.isEmpty() || !fused.get().equals(in)) {
            activation(g, in, i, activations);
          }
        }
      }
    }
    if (!unmatched.isEmpty()) {
      throw OptionException.of("unknown_exclude", RequestOption.EXCLUDE,
          " " + String.join(", ", unmatched) + " matches no node name or operator type of the model");
    }
    return new Plan(activations, weights, excludedNodes);
  }

  private static void placeWeighted(
      GraphIndex g, int i, NodeProto n, Map<String, Set<Integer>> activations, Map<WeightSite, Set<Integer>> weights) {
    String op = n.getOpType();
    if (n.getInputCount() < 2) {
      return;
    }
    activation(g, n.getInput(0), i, activations);
    String w = n.getInput(1);
    Optional<TensorProto> constant = g.constant(w);
    if (constant.isEmpty()) {
      if (op.equals("MatMul") || op.equals("Gemm")) {
        activation(g, w, i, activations); // two activations, e.g. attention scores x values
      }
      return;
    }
    if (constant.get().getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      return;
    }
    int rank = constant.get().getDimsCount();
    int axis =
        switch (op) {
          case "Conv" -> 0;
          case "Gemm" -> GraphIndex.intAttribute(n, "transB", 0) != 0 ? 0 : 1;
          case "MatMul" -> rank - 1;
          case "ConvTranspose" -> GraphIndex.intAttribute(n, "group", 1) == 1 ? 1 : -1;
          default -> -1;
        };
    if (rank < 2) {
      axis = -1;
    }
    weights.computeIfAbsent(new WeightSite(w, axis), k -> new LinkedHashSet<>()).add(i);
  }

  private static void activation(GraphIndex g, String tensor, int consumer, Map<String, Set<Integer>> activations) {
    if (tensor.isEmpty() || g.isConstant(tensor)) {
      return;
    }
    activations.computeIfAbsent(tensor, k -> new LinkedHashSet<>()).add(consumer);
  }

  /**
   * The Add input TensorRT fuses into the weighted operation that produces it: the first one made by a weighted
   * operation (or a BatchNormalization of one, which TensorRT folds into it) with no reader but this Add.
   */
  private static Optional<String> fusedInput(GraphIndex g, NodeProto add) {
    for (String in : add.getInputList()) {
      if (g.uses(in).size() != 1 || g.isGraphOutput(in)) {
        continue;
      }
      Optional<NodeProto> p = g.producer(in);
      if (p.isEmpty() || !GraphIndex.isDefaultDomain(p.get())) {
        continue;
      }
      if (WEIGHTED.contains(p.get().getOpType())) {
        return Optional.of(in);
      }
      if (p.get().getOpType().equals("BatchNormalization") && p.get().getInputCount() > 0) {
        String pre = p.get().getInput(0);
        Optional<NodeProto> pp = g.producer(pre);
        if (pp.isPresent() && WEIGHTED.contains(pp.get().getOpType()) && g.uses(pre).size() == 1) {
          return Optional.of(in);
        }
      }
    }
    return Optional.empty();
  }

  private static boolean fedByWeightedOp(GraphIndex g, NodeProto add) {
    for (String in : add.getInputList()) {
      Optional<NodeProto> p = g.producer(in);
      if (p.isPresent() && GraphIndex.isDefaultDomain(p.get())) {
        String op = p.get().getOpType();
        if (WEIGHTED.contains(op)) {
          return true;
        }
        if (op.equals("BatchNormalization") && p.get().getInputCount() > 0) {
          Optional<NodeProto> pp = g.producer(p.get().getInput(0));
          if (pp.isPresent() && WEIGHTED.contains(pp.get().getOpType())) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
