package dev.trtcompat.check;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.rules.Constraint;
import dev.trtcompat.rules.OperatorRule;
import dev.trtcompat.rules.ReleaseRules;
import java.util.Map;
import java.util.Optional;

/** Evaluates one structured constraint of the knowledge base on one node. */
final class ConstraintCheck {

  private final ReleaseRules rel;
  private final ModelIndex ix;
  private final Findings out;
  private final NodeSite s;
  private final NodeProto n;
  private final OperatorRule rule;

  ConstraintCheck(ReleaseRules rel, ModelIndex ix, Findings out, NodeSite s, OperatorRule rule) {
    this.rel = rel;
    this.ix = ix;
    this.out = out;
    this.s = s;
    this.n = s.node();
    this.rule = rule;
  }

  void check(Constraint c) {
    if (c instanceof Constraint.ConstantInput ci) {
      constantInput(ci);
    } else if (c instanceof Constraint.AttributeValues av) {
      attributeValues(av);
    } else if (c instanceof Constraint.AttributeAllOnes a) {
      NodeRules.attr(n, a.attribute()).ifPresent(at -> {
        if (at.getIntsList().stream().anyMatch(v -> v != 1)) {
          error(c, s.op() + " attribute '" + a.attribute() + "' is " + at.getIntsList()
              + "; TensorRT " + rel.release() + " supports only empty or all-ones " + a.attribute(),
              "remove the " + a.attribute() + " (rewrite the layer without them) or use a newer TensorRT");
        }
      });
    } else if (c instanceof Constraint.AttributeExcludes ae) {
      NodeRules.attr(n, ae.attribute()).ifPresent(at -> {
        String v = at.getS().toStringUtf8();
        for (String sub : ae.substrings()) {
          if (v.contains(sub)) {
            error(c, s.op() + " " + ae.attribute() + " '" + v + "' uses '" + sub + "', which TensorRT "
                + rel.release() + " does not support", "write the equation without '" + sub
                + "' (explicit indices) or replace " + s.op() + " with MatMul/Transpose/Reshape");
          }
        }
      });
    } else if (c instanceof Constraint.ForbiddenAttributes fa) {
      for (String a : fa.attributes()) {
        if (NodeRules.attr(n, a).isPresent()) {
          error(c, s.op() + " sets '" + a + "', which TensorRT " + rel.release() + " does not import",
              "store the value as a dense numeric tensor");
        }
      }
    } else if (c instanceof Constraint.InputRank r) {
      inputRank(r);
    } else if (c instanceof Constraint.UnsupportedOutput uo) {
      if (Boolean.TRUE.equals(uo.whenDeclared()) && n.getOutputCount() > uo.output()) {
        error(c, s.op() + " declares output " + uo.output() + " ('" + uo.name() + "'); TensorRT " + rel.release()
            + "'s importer accepts only " + uo.output() + " output" + (uo.output() == 1 ? "" : "s"),
            "export the node without its " + uo.name() + " output");
      } else if (n.getOutputCount() > uo.output() && !n.getOutput(uo.output()).isEmpty()
          && ix.isConsumed(n.getOutput(uo.output()))) {
        error(c, s.op() + " output " + uo.output() + " ('" + uo.name() + "') is used; TensorRT " + rel.release()
            + " does not produce it", "compute " + uo.name() + " another way or drop that output");
      }
    } else if (c instanceof Constraint.InputValueMax iv) {
      TensorFact f = input(iv.input());
      if (f != null && f.values() != null && f.values().length == 1 && f.values()[0] > iv.max()) {
        error(c, s.op() + " " + iv.name() + " = " + f.values()[0] + " exceeds TensorRT " + rel.release()
            + "'s limit of " + iv.max(), "reduce " + iv.name() + " to at most " + iv.max()
            + " (e.g. pre-filter candidates) before " + s.op());
      }
    } else if (c instanceof Constraint.InputAllZero z) {
      TensorFact f = input(z.input());
      if (f != null && z.ignored()) {
        if (f.origin().isConstant() && Boolean.FALSE.equals(f.allZero())) {
          out.node(s, Severity.WARNING, c.id(), s.op() + " " + z.name() + " is not zero; TensorRT " + rel.release()
              + "'s importer drops a constant " + z.name() + ", so the engine quantizes with zero and its outputs"
              + " differ from ONNX Runtime's", "re-quantize with a zero point of 0 (symmetric, INT8)");
        }
      } else if (f != null) {
        if (!f.origin().isConstant()) {
          // Every 8.0+ helper converts a zero point it cannot read as weights to a tensor and hands it to the
          // layer (convertToTensor(inputs.at(2))): the parser accepts it and the builder decides.
          out.node(s, Severity.WARNING, c.id(), s.op() + " " + z.name() + " is computed at run time; TensorRT "
              + rel.release() + "'s importer passes it to the layer unchecked, and the builder needs it to be zero",
              "make " + z.name() + " an initializer equal to zero");
        } else if (Boolean.FALSE.equals(f.allZero())) {
          error(c, s.op() + " " + z.name() + " is not zero; TensorRT " + rel.release()
              + " supports symmetric quantization only", "re-quantize with a zero point of 0 (symmetric, INT8)");
        }
      }
    } else if (c instanceof Constraint.StaticInputShape st) {
      TensorFact f = input(st.input());
      if (f != null && f.dims() != null && f.dims().contains(ConstantFolding.DYNAMIC)) {
        error(c, s.op() + " input '" + n.getInput(st.input()) + "' has a dynamic shape "
            + NodeRules.describe(f.dims()) + "; TensorRT " + rel.release() + " needs it static here",
            "fix the input's dimensions at export time");
      }
    } else if (c instanceof Constraint.OptionalInput oi) {
      boolean given = n.getInputCount() > oi.input() && !n.getInput(oi.input()).isEmpty();
      if (given != oi.present()) {
        error(c, s.op() + (oi.present() ? " leaves out its optional input '" : " gives its optional input '")
            + oi.name() + "'; TensorRT " + rel.release() + "'s importer requires it "
            + (oi.present() ? "given" : "left out"),
            oi.present() ? "give " + oi.name() + " explicitly (an initializer; zeros for a symmetric zero point)"
                : "export the node without " + oi.name());
      }
    } else if (c instanceof Constraint.DeclaredEmptyInput de) {
      if (de.declaredEmpty(n.getInputList())) {
        // ModelImporter turns the empty name into a null input; the importer hands that to the layer and returns
        // before it reads the other form's input, so the layer never gets the node's own parameters
        error(c, s.op() + " declares its optional input " + de.input() + " ('" + de.name() + "') with an empty name;"
            + " TensorRT " + rel.release() + "'s importer counts it as given, takes the " + de.name()
            + " path and converts a null tensor", "export the node with " + de.input() + " inputs (without the empty "
            + de.name() + ") or use a newer TensorRT");
      }
    } else if (c instanceof Constraint.NotStaticallyCheckable nc) {
      out.node(s, Severity.INFO, c.id(),
          s.op() + ": " + NODE_TEXT.getOrDefault(nc.check(), nc.check()) + " (not checkable without running it)",
          "if the build fails at this node, check this restriction first");
    }
  }

  private static final Map<String, String> NODE_TEXT =
      Map.of(
          "non_negative_indices", "indices must be non-negative at run time",
          "bidirectional_same_activations", "a bidirectional layer must use the same activations in both directions",
          "axis_dimension_build_time_constant", "the 'axis' dimension must be known at build time",
          "branch_outputs_compatible", "both branches must produce outputs of the same rank with different names",
          "loop_carried_shapes_static", "loop-carried values must keep their shape and scan outputs need a static length",
          "zero_padding_last_two_dims", "only zero padding of the last two dimensions is supported",
          "float_range_inputs_initializers", "floating-point start/limit/delta must be initializers");

  private TensorFact input(int i) {
    if (n.getInputCount() <= i || n.getInput(i).isEmpty()) {
      return null;
    }
    TensorFact f = ix.inputFact(s, i);
    return f != null ? f : TensorFact.runtime(null, null);
  }

  private void constantInput(Constraint.ConstantInput ci) {
    if (ci.skippedFor(n.getInputList())) {
      return;
    }
    TensorFact f = input(ci.input());
    if (f == null) {
      return;
    }
    String name = n.getInput(ci.input());
    if (f.origin().isWeight()) {
      return;
    }
    if (f.origin() == TensorFact.Origin.FOLDABLE) {
      if (ci.initializerRequired()) {
        out.node(s, Severity.WARNING, ci.id(),
            s.op() + " input '" + ci.name() + "' ('" + name + "') is computed from constants, but TensorRT "
                + rel.release() + " requires an initializer",
            "fold constants before building (polygraphy surgeon sanitize --fold-constants, or onnxsim)");
      }
      return;
    }
    String what = ci.initializerRequired() ? "an initializer" : "a build-time constant";
    out.node(s, Severity.ERROR, ci.id(),
        s.op() + " input '" + ci.name() + "' ('" + name + "') is computed at run time; TensorRT " + rel.release()
            + " requires " + what,
        "make '" + ci.name() + "' a constant at export (fixed shapes, constant folding) or use a newer TensorRT");
  }

  private void attributeValues(Constraint.AttributeValues av) {
    if (!av.appliesToInputs(n.getInputList())) {
      return;
    }
    for (Map.Entry<String, String> w : av.when().entrySet()) {
      String actual = value(w.getKey()).orElse(defaultOf(w.getKey()));
      if (!w.getValue().equals(actual)) {
        return;
      }
    }
    Optional<String> v = value(av.attribute());
    String actual = v.orElse(av.default_());
    if (actual == null || av.allowed().contains(actual)) {
      return;
    }
    String origin = v.isPresent() ? "" : " (the ONNX default)";
    // a form-specific set (7.1-7.2 Resize with sizes or scales) names its form, so the fix is not a value of the other
    String form = av.inputCondition().isEmpty() ? ""
        : (av.when().isEmpty() ? "" : " for " + whenText(av.when())) + av.inputCondition();
    error(av, s.op() + " " + av.attribute() + "='" + actual + "'" + origin + " is not supported by TensorRT "
        + rel.release() + form + " (supported: " + String.join(", ", av.allowed()) + ")",
        "export with " + av.attribute() + " in {" + String.join(", ", av.allowed()) + "}"
            + (s.op().equals("Resize") ? " or use a newer TensorRT" : ""));
  }

  private static String whenText(Map<String, String> when) {
    return String.join(", ", when.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList());
  }

  private String defaultOf(String attribute) {
    for (Constraint c : rule.constraints()) {
      if (c instanceof Constraint.AttributeValues other && other.attribute().equals(attribute)) {
        return other.default_();
      }
    }
    return null;
  }

  private Optional<String> value(String attribute) {
    return NodeRules.attr(n, attribute).map(ConstraintCheck::text);
  }

  private static String text(AttributeProto a) {
    return switch (a.getType()) {
      case STRING -> a.getS().toStringUtf8();
      case INT -> Long.toString(a.getI());
      case FLOAT -> Float.toString(a.getF());
      default -> a.hasS() ? a.getS().toStringUtf8() : Long.toString(a.getI());
    };
  }

  private void inputRank(Constraint.InputRank r) {
    TensorFact f = input(r.input());
    if (f == null) {
      return;
    }
    if (f.dims() == null) {
      out.node(s, Severity.INFO, r.id(), s.op() + ": the rank of input '" + n.getInput(r.input())
          + "' is not known statically, so the " + r.min() + ".." + r.max() + " rank limit was not checked",
          "run ONNX shape inference before checking (onnx.shape_inference.infer_shapes)");
      return;
    }
    int rank = f.dims().size();
    if (rank < r.min() || rank > r.max()) {
      error(r, s.op() + " input '" + n.getInput(r.input()) + "' has rank " + rank + "; TensorRT " + rel.release()
          + " supports rank " + r.min() + (r.min() == r.max() ? "" : " to " + r.max()) + " here",
          "reshape to a supported rank around " + s.op() + " (e.g. add a unit spatial dimension)");
    }
  }

  private void error(Constraint c, String message, String fix) {
    out.node(s, Severity.ERROR, c.id(), message, fix);
  }
}
