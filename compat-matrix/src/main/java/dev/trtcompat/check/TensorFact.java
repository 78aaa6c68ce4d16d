package dev.trtcompat.check;

import dev.trtcompat.onnx.ElementType;
import java.util.List;

/**
 * What static analysis knows about one tensor name.
 *
 * @param type null when unknown
 * @param dims null when the rank is unknown; an entry of -1 is a dynamic or unknown dimension
 * @param values integer values when the tensor is a small constant of an integer type, else null
 * @param allZero true/false when the tensor is a constant whose bytes were read, else null
 * @param dimNames for graph inputs: the symbolic name of each dynamic dimension (null entries when static)
 */
record TensorFact(
    ElementType type, List<Long> dims, Origin origin, long[] values, Boolean allZero, List<String> dimNames) {

  /** How a tensor comes to exist, in the order the parser can use it as a weight. */
  enum Origin {
    /** A graph initializer: always a weight to TensorRT's parser. */
    INITIALIZER,
    /** The output of a Constant node: the parser turns it into a weight too. */
    CONSTANT_NODE,
    /** Computable from constants and static shapes (Shape->Gather->Unsqueeze->Concat); folding makes it a weight. */
    FOLDABLE,
    /** A graph input. */
    GRAPH_INPUT,
    /** Computed at run time, or not known. */
    RUNTIME;

    boolean isWeight() {
      return this == INITIALIZER || this == CONSTANT_NODE;
    }

    boolean isConstant() {
      return isWeight() || this == FOLDABLE;
    }
  }

  static TensorFact runtime(ElementType type, List<Long> dims) {
    return new TensorFact(type, dims, Origin.RUNTIME, null, null, null);
  }

  Integer rank() {
    return dims == null ? null : dims.size();
  }

  boolean isStatic() {
    return dims != null && dims.stream().allMatch(d -> d >= 0);
  }

  TensorFact withType(ElementType t) {
    return new TensorFact(t, dims, origin, values, allZero, dimNames);
  }
}
