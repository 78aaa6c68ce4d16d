package dev.trtcompat.fix;

import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.rules.OnnxOperatorVersions;
import dev.trtcompat.rules.ReleaseRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What passes may consult besides the graph: the input shapes the user fixed, the operators a target release
 * lacks and the rule ids reported per operator (from the checker's findings on the original), the target
 * releases' rules, and a place for notes the report shows.
 */
final class FixContext {

  final InputShapes shapes;
  final Set<String> unsupportedOps;
  /** The newest opset each target release's parser documents, for opset moves; empty when none is known. */
  final List<Integer> targetOpsetMax;
  final OnnxOperatorVersions operators;
  final List<String> notes = new ArrayList<>();
  /** The knowledge base's rules of the target releases, for passes that weigh candidate forms per release. */
  final List<ReleaseRules> targets;
  /** Per operator, the rule ids of the checker's warnings and errors on the original for the target releases. */
  private final Map<String, Set<String>> findingRules;

  FixContext(InputShapes shapes, Set<String> unsupportedOps) {
    this(shapes, unsupportedOps, List.of(), null);
  }

  FixContext(InputShapes shapes, Set<String> unsupportedOps, List<Integer> targetOpsetMax,
      OnnxOperatorVersions operators) {
    this(shapes, unsupportedOps, targetOpsetMax, operators, List.of(), Map.of());
  }

  FixContext(InputShapes shapes, Set<String> unsupportedOps, List<Integer> targetOpsetMax,
      OnnxOperatorVersions operators, List<ReleaseRules> targets, Map<String, Set<String>> findingRules) {
    this.shapes = shapes == null ? InputShapes.NONE : shapes;
    this.unsupportedOps = Set.copyOf(unsupportedOps);
    this.targetOpsetMax = List.copyOf(targetOpsetMax);
    this.operators = operators;
    this.targets = List.copyOf(targets);
    this.findingRules = Map.copyOf(findingRules);
  }

  /** Rule ids the checker reported on nodes of {@code op} in the original; empty when none. */
  Set<String> findingRules(String op) {
    return findingRules.getOrDefault(op, Set.of());
  }

  void note(String pass, String text) {
    String line = pass + ": " + text;
    if (!notes.contains(line)) {
      notes.add(line);
    }
  }
}
