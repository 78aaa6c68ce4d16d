package dev.trtcompat.fp16;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.quantize.TensorHistogram;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which nodes stay in FP32, and why. FLOAT16 holds magnitudes up to 65504 and normal numbers down to 2^-14
 * (IEEE 754 binary16); a node stays FP32 when
 *
 * <ul>
 *   <li>its operator accumulates over many elements or normalises: reductions, Softmax/LogSoftmax and the
 *       normalisation layers (sums and their squares overflow or lose the small terms in 10 mantissa bits);
 *   <li>a float input or output was seen beyond 65504 during calibration (it would become infinity);
 *   <li>a float output was non-zero but never reached 2^-14 during calibration (every value would be subnormal or
 *       zero in FP16);
 *   <li>its operator takes FLOAT only (NonMaxSuppression's boxes and scores; Range, Celu, DynamicQuantizeLinear);
 *   <li>the user named it (node name or operator type).
 * </ul>
 *
 * Operators whose output type does not follow their inputs (Constant, ConstantOfShape, Cast, random generators,
 * Q/DQ) are left as they are; their float outputs are cast where an FP16 node reads them.
 */
final class Fp16Policy {

  static final double FP16_MAX = 65504;
  static final double FP16_MIN_NORMAL = Math.pow(2, -14);

  static final Set<String> KEEP_OPS = Set.of(
      "ReduceSum", "ReduceMean", "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
      "ReduceProd", "Softmax", "LogSoftmax", "LayerNormalization", "InstanceNormalization", "GroupNormalization",
      "LpNormalization", "MeanVarianceNormalization");

  static final Set<String> UNTOUCHED_OPS = Set.of(
      "Constant", "ConstantOfShape", "Cast", "CastLike", "RandomNormal", "RandomUniform", "RandomNormalLike",
      "RandomUniformLike", "EyeLike", "QuantizeLinear", "DequantizeLinear", "Multinomial", "Bernoulli");

  /** Operators whose ONNX schema types their float inputs tensor(float) only: FLOAT16 there is an invalid model. */
  static final Set<String> FLOAT_ONLY_OPS = Set.of("NonMaxSuppression", "DynamicQuantizeLinear", "Range", "Celu");

  /** Inputs that must stay FLOAT whatever the node's precision (their type is not the node's T). */
  static final Map<String, Set<Integer>> FLOAT_ONLY_INPUTS = Map.of("Resize", Set.of(1, 2), "Upsample", Set.of(1));

  private Fp16Policy() {}

  /** Why {@code n} stays FP32, or empty when it can run in FP16. */
  static Optional<String> keepReason(NodeProto n, List<String> userKeep, Map<String, TensorHistogram> stats,
      Map<String, Double> initializerMaxAbs) {
    if (userKeep.contains(n.getName()) || userKeep.contains(n.getOpType())) {
      return Optional.of("named by the user (--keep-fp32, the service's exclude)");
    }
    if (KEEP_OPS.contains(n.getOpType())) {
      return Optional.of(n.getOpType() + " accumulates or normalises: kept FP32 by default");
    }
    if (FLOAT_ONLY_OPS.contains(n.getOpType())) {
      return Optional.of(n.getOpType() + " takes FLOAT only (ONNX schema): kept FP32");
    }
    for (String in : n.getInputList()) {
      double max = stats.containsKey(in) ? stats.get(in).maxAbs() : initializerMaxAbs.getOrDefault(in, 0.0);
      if (max > FP16_MAX) {
        return Optional.of(String.format(java.util.Locale.ROOT, "input '%s' reaches %.6g, beyond FP16's 65504", in, max));
      }
    }
    for (String out : n.getOutputList()) {
      TensorHistogram h = stats.get(out);
      if (h == null) {
        continue;
      }
      if (h.maxAbs() > FP16_MAX) {
        return Optional.of(String.format(java.util.Locale.ROOT, "output '%s' reaches %.6g, beyond FP16's 65504", out, h.maxAbs()));
      }
      if (h.maxAbs() > 0 && h.maxAbs() < FP16_MIN_NORMAL) {
        return Optional.of(String.format(java.util.Locale.ROOT,
            "output '%s' never exceeds %.3g, below FP16's smallest normal number 2^-14", out, h.maxAbs()));
      }
    }
    return Optional.empty();
  }
}
