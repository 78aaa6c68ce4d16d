package dev.trtcompat.fix;

import java.util.Set;

/**
 * One rewrite of a model. Each pass is idempotent: applied to its own output it changes nothing and answers
 * false, which is what lets {@link FixPipeline} run the passes to a fixed point.
 */
interface FixPass {

  /** The name used on the command line ({@code --passes}) and in the model's metadata. */
  String name();

  /** One line: why a TensorRT parser needs this. */
  String reason();

  /** Checker rule ids (prefixes) whose findings this pass is meant to remove. */
  Set<String> removes();

  /** Rewrites {@code g} in place; true when anything changed. */
  boolean apply(FixGraph g, FixContext ctx);
}
