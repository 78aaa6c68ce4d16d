package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.rules.Constraint;
import dev.trtcompat.rules.OperatorRule;
import dev.trtcompat.rules.ReleaseRules;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Which target releases accept one Resize node under the knowledge base's Resize constraints (attribute values,
 * constant scales, a sizes declared empty), evaluated the way the checker's ConstraintCheck does, so that {@link ResizePass} can compare
 * candidate forms without re-checking the whole model. Only the constraints a Resize rewrite can change are read.
 */
final class ResizeAcceptance {

  private final List<ReleaseRules> targets;
  private final FixGraph g;
  private final long opset;

  ResizeAcceptance(List<ReleaseRules> targets, FixGraph g) {
    this.targets = targets;
    this.g = g;
    this.opset = g.opset();
  }

  Set<String> accepting(NodeProto n) {
    return accepting(n, false);
  }

  /**
   * @param scalesInitializer the scales input will be written as an initializer (its value is known)
   */
  Set<String> accepting(NodeProto n, boolean scalesInitializer) {
    Set<String> out = new LinkedHashSet<>();
    for (ReleaseRules rel : targets) {
      Optional<OperatorRule> rule = rel.operator(n.getOpType());
      if (rule.isPresent() && accepts(rule.get(), n, scalesInitializer)) {
        out.add(rel.release());
      }
    }
    return out;
  }

  /**
   * Target releases whose importer rejects {@code n} only through a declared-but-empty optional input (the
   * knowledge base's {@code declared_empty_input}, e.g. 7.0-8.2 Resize {@code sizes}); empty when none does.
   */
  Set<String> rejectingDeclaredEmpty(NodeProto n) {
    Set<String> out = new LinkedHashSet<>();
    for (ReleaseRules rel : targets) {
      Optional<OperatorRule> rule = rel.operator(n.getOpType());
      if (rule.isPresent() && rule.get().constraints().stream().anyMatch(c -> declaredEmpty(c, n))) {
        out.add(rel.release());
      }
    }
    return out;
  }

  private boolean declaredEmpty(Constraint c, NodeProto n) {
    return c.appliesAt(opset) && c instanceof Constraint.DeclaredEmptyInput de && de.declaredEmpty(n.getInputList());
  }

  private boolean accepts(OperatorRule rule, NodeProto n, boolean scalesInitializer) {
    for (Constraint c : rule.constraints()) {
      if (!c.appliesAt(opset)) {
        continue;
      }
      if (c instanceof Constraint.AttributeValues av && !allowed(rule, av, n)) {
        return false;
      }
      if (c instanceof Constraint.ConstantInput ci && !constant(ci, n, scalesInitializer)) {
        return false;
      }
      if (declaredEmpty(c, n)) {
        return false;
      }
    }
    return true;
  }

  private static boolean allowed(OperatorRule rule, Constraint.AttributeValues av, NodeProto n) {
    if (!av.appliesToInputs(n.getInputList())) {
      return true;
    }
    for (var w : av.when().entrySet()) {
      if (!w.getValue().equals(value(n, w.getKey()).orElse(defaultOf(rule, w.getKey())))) {
        return true;
      }
    }
    String actual = value(n, av.attribute()).orElse(av.default_());
    return actual == null || av.allowed().contains(actual);
  }

  /** An initializer or a Constant node's output; a value only the fixer can compute does not count here. */
  private boolean constant(Constraint.ConstantInput ci, NodeProto n, boolean scalesInitializer) {
    if (ci.skippedFor(n.getInputList()) || !given(n, ci.input())) {
      return true;
    }
    String name = n.getInput(ci.input());
    if (scalesInitializer && ci.name().equals("scales") || g.initializers.containsKey(name)) {
      return true;
    }
    return g.nodes.stream().anyMatch(p -> p.getOpType().equals("Constant") && p.getOutputList().contains(name));
  }

  private static boolean given(NodeProto n, int i) {
    return n.getInputCount() > i && !n.getInput(i).isEmpty();
  }

  private static String defaultOf(OperatorRule rule, String attribute) {
    for (Constraint c : rule.constraints()) {
      if (c instanceof Constraint.AttributeValues o && o.attribute().equals(attribute)) {
        return o.default_();
      }
    }
    return null;
  }

  private static Optional<String> value(NodeProto n, String attribute) {
    AttributeProto a = Attrs.find(n, attribute);
    if (a == null) {
      return Optional.empty();
    }
    return Optional.of(switch (a.getType()) {
      case STRING -> a.getS().toStringUtf8();
      case INT -> Long.toString(a.getI());
      case FLOAT -> Float.toString(a.getF());
      default -> a.hasS() ? a.getS().toStringUtf8() : Long.toString(a.getI());
    });
  }
}
