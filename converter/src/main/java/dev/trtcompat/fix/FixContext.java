package dev.trtcompat.fix;

import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.rules.OnnxOperatorVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What passes may consult besides the graph: the input shapes the user fixed, the operators a target release
 * lacks (from the checker's findings on the original), and a place for notes the report shows.
 */
final class FixContext {

  final InputShapes shapes;
  final Set<String> unsupportedOps;
  /** The newest opset each target release's parser documents, for opset moves; empty when none is known. */
  final List<Integer> targetOpsetMax;
  final OnnxOperatorVersions operators;
  final List<String> notes = new ArrayList<>();

  FixContext(InputShapes shapes, Set<String> unsupportedOps) {
    this(shapes, unsupportedOps, List.of(), null);
  }

  FixContext(InputShapes shapes, Set<String> unsupportedOps, List<Integer> targetOpsetMax,
      OnnxOperatorVersions operators) {
    this.shapes = shapes == null ? InputShapes.NONE : shapes;
    this.unsupportedOps = Set.copyOf(unsupportedOps);
    this.targetOpsetMax = List.copyOf(targetOpsetMax);
    this.operators = operators;
  }

  void note(String pass, String text) {
    String line = pass + ": " + text;
    if (!notes.contains(line)) {
      notes.add(line);
    }
  }
}
