package dev.trtcompat.cost;

import java.util.List;
import java.util.Map;

/**
 * What a model costs, estimated from its file without running it.
 *
 * <p>{@code flops} is {@code 2 x macs}: one multiply and one add per multiply-accumulate, the convention of most
 * model zoos. Only the ops in {@link #COUNTED_OPS} are counted; bias additions, activations, normalisations,
 * pooling, element-wise arithmetic, Softmax and everything inside If/Loop/Scan bodies or local functions are not
 * (together they are usually a few percent of a convolutional or transformer model's total).
 *
 * @param parameters elements of floating-point weights (initializers and Constant nodes) plus integer weights fed
 *     to DequantizeLinear (quantized weights); shape, axis and index tensors are not parameters
 * @param parameterBytes bytes those weights take in the file's element types
 * @param macs multiply-accumulates of the counted nodes
 * @param perOp op type to its counted nodes and MACs, in first-seen order
 * @param uncounted nodes of a counted op whose shapes could not be determined; their MACs are missing
 * @param assumptions how dynamic dimensions were resolved (e.g. {@code input:batch = 1})
 */
public record ModelCost(
    long parameters,
    long parameterBytes,
    long macs,
    long flops,
    Map<String, OpCost> perOp,
    List<Uncounted> uncounted,
    List<String> assumptions) {

  /** The ops whose multiply-accumulates are counted. */
  public static final List<String> COUNTED_OPS = List.of("Conv", "ConvTranspose", "Gemm", "MatMul");

  /** One sentence saying what the estimate leaves out; printed next to the figures. */
  public static final String NOT_COUNTED =
      "counted: Conv, ConvTranspose, Gemm, MatMul (incl. batched attention MatMuls), FLOPs = 2 x MACs; not counted:"
          + " bias adds, activations, normalisation, pooling, element-wise ops, Softmax, If/Loop/Scan bodies,"
          + " local functions";

  public ModelCost {
    perOp = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(perOp));
    uncounted = List.copyOf(uncounted);
    assumptions = List.copyOf(assumptions);
  }

  /** True when every counted-op node had known shapes. */
  public boolean complete() {
    return uncounted.isEmpty();
  }

  /** Counted nodes of one op type and their multiply-accumulates. */
  public record OpCost(int nodes, long macs) {}

  /** A node of a counted op that was left out, and why. */
  public record Uncounted(int nodeIndex, String node, String op, String reason) {}
}
