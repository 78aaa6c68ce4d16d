package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.reference.HostTensor;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Rewrites a Resize or Upsample that a target release rejects into a form it accepts and that computes the same thing
 * at the model's static shapes: an Identity when every axis maps each output position onto the same input position;
 * another coordinate_transformation_mode / nearest_mode whose source positions are the same on every axis
 * (align_corners and asymmetric agree on unchanged or length-1 axes; nearest modes agree where no source coordinate is
 * a tie); nearest for a linear or cubic resize whose coordinates are all whole; antialias dropped where it has no
 * effect (nearest, or no axis shrinks); keep_aspect_ratio_policy dropped where it has no effect (scales given, or sizes
 * already in one ratio); a scales tensor whose value is known turned into an initializer; scales given as sizes or
 * sizes as scales ({@link ResizeForms}) where 7.1/7.2 accept only the other form and no coordinate rewrite satisfies
 * every target. Equality is decided by {@link ResizeCoordinates} on every output position of every axis; anything it
 * cannot decide is left as it is, with a note saying why. Resize-10 and Upsample ({@link LegacyResize}) have no
 * coordinate attributes: they become an Identity, or get their known scales as an initializer.
 */
final class ResizePass implements FixPass {

  static final String NAME = "resize";

  private static final Set<String> REMOVES = Set.of(
      "attribute_values.coordinate_transformation_mode", "attribute_values.nearest_mode", "attribute_values.mode",
      "attribute_values.antialias", "attribute_values.keep_aspect_ratio_policy", "constant_input.scales");

  /** Tried in this order; the first form accepted by the most targets wins (asymmetric/floor: every release). */
  private static final List<String> MODES =
      List.of("asymmetric", "align_corners", "half_pixel", "pytorch_half_pixel", "tf_half_pixel_for_nn");
  private static final List<String> NEAREST =
      List.of("floor", "round_prefer_floor", "round_prefer_ceil", "ceil");

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String reason() {
    return "TensorRT 7.x takes Resize only in some coordinate and nearest modes (7.1/7.2 per scales or sizes form),"
        + " 7.0-8.2 Resize and Upsample only"
        + " with constant scales,"
        + " 10.x rejects antialias and keep_aspect_ratio_policy; at static shapes an equivalent accepted form exists";
  }

  @Override
  public Set<String> removes() {
    return REMOVES;
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    if (ctx.targets.isEmpty()) {
      return false;
    }
    boolean lengths = unambiguousLengths(g, ctx);
    if (Stream.of("Resize", "Upsample").flatMap(op -> ctx.findingRules(op).stream()).noneMatch(REMOVES::contains)) {
      return lengths;
    }
    return rewriteRejected(g, ctx) || lengths;
  }

  /** Resize-10 and Upsample nearest scales nudged so their output length is one number ({@link LegacyResize}). */
  private static boolean unambiguousLengths(FixGraph g, FixContext ctx) {
    Analysis a = Analysis.of(g);
    boolean changed = false;
    for (int k = 0; k < g.nodes.size(); k++) {
      NodeProto n = g.nodes.get(k);
      if (!LegacyResize.is(n, g.opset()) || !FixGraph.defaultDomain(n)) {
        continue;
      }
      float[] t = LegacyResize.unambiguousScales(n, a);
      if (t == null) {
        continue;
      }
      int at = LegacyResize.scalesInput(n);
      NodeProto better;
      if (at < 0) {
        AttributeProto.Builder attr = AttributeProto.newBuilder().setName("scales")
            .setType(AttributeProto.AttributeType.FLOATS);
        for (float v : t) {
          attr.addFloats(v);
        }
        better = Attrs.without(n, "scales").toBuilder().addAttribute(attr).build();
      } else {
        String name = g.freshName(n.getInput(at) + "_exact");
        g.initializers.put(name, Tensors.encode(name, HostTensor.ofFloats(name, new long[] {t.length}, t)));
        better = n.toBuilder().setInput(at, name).build();
      }
      ctx.note(NAME, n.getOpType() + " '" + n.getName() + "': scales " + Arrays.toString(t) + " instead of "
          + "inexact ones whose output length float32 and float64 computed differently (same inputs read)");
      g.nodes.set(k, better);
      changed = true;
      a = Analysis.of(g);
    }
    return changed;
  }

  private static boolean rewriteRejected(FixGraph g, FixContext ctx) {
    Analysis a = Analysis.of(g);
    ResizeAcceptance acceptance = new ResizeAcceptance(ctx.targets, g);
    boolean changed = false;
    for (int k = 0; k < g.nodes.size(); k++) {
      NodeProto n = g.nodes.get(k);
      if (!Set.of("Resize", "Upsample").contains(n.getOpType()) || !FixGraph.defaultDomain(n)) {
        continue;
      }
      Set<String> accepting = acceptance.accepting(n);
      if (accepting.size() == ctx.targets.size()) {
        continue;
      }
      NodeProto better = rewrite(n, g, a, acceptance, accepting, ctx);
      if (better != null) {
        g.nodes.set(k, better);
        changed = true;
        a = Analysis.of(g);
        acceptance = new ResizeAcceptance(ctx.targets, g);
      }
    }
    return changed;
  }

  /** The accepted equivalent of {@code n} that the most targets accept, or null when none gains a release. */
  private static NodeProto rewrite(NodeProto n, FixGraph g, Analysis a, ResizeAcceptance acceptance,
      Set<String> accepting, FixContext ctx) {
    ResizeCoordinates original = ResizeCoordinates.of(n, a);
    if (original == null) {
      ctx.note(NAME, n.getOpType() + " '" + n.getName() + "' left as it is: " + ResizeCoordinates.whyNot(n, a));
      return null;
    }
    if (original.isIdentity()) {
      return NodeProto.newBuilder().setOpType("Identity").setName(n.getName()).addInput(n.getInput(0))
          .addOutput(n.getOutput(0)).build();
    }
    if (LegacyResize.is(n, g.opset())) {
      return legacyRewrite(n, g, a, acceptance, accepting, ctx, original);
    }
    // scales whose value is known become an initializer, decided here and written only if the rewrite is kept
    boolean materialize = n.getInputCount() > 2 && !n.getInput(2).isEmpty()
        && !(n.getInputCount() > 3 && !n.getInput(3).isEmpty())
        && !g.initializers.containsKey(n.getInput(2)) && a.value(n.getInput(2)) != null;
    NodeProto base = withoutNoOpAttributes(n);
    NodeProto best = null;
    int bestCount = accepting.size();
    if (base != n || materialize) {
      int count = acceptance.accepting(base, materialize).size();
      if (count > bestCount) {
        best = base;
        bestCount = count;
      }
    }
    // linear or cubic sampling whole input positions is a nearest resize (cubic has no importer before 8.5)
    List<String> interpolations =
        original.mode().equals("nearest") ? List.of("nearest") : List.of(original.mode(), "nearest");
    for (String interpolation : interpolations) {
      for (String mode : MODES) {
        for (String nm : interpolation.equals("nearest") ? NEAREST : List.of("")) {
          NodeProto candidate = withModes(base, interpolation, mode, nm);
          ResizeCoordinates c = ResizeCoordinates.of(candidate, a);
          if (c == null || !c.sameSourcesAs(original)) {
            continue;
          }
          int count = acceptance.accepting(candidate, materialize).size();
          if (count > bestCount) {
            best = candidate;
            bestCount = count;
          }
        }
      }
    }
    // the other form (sizes for scales or back) only when no coordinate rewrite is accepted everywhere
    String swapRefused = "";
    if (bestCount < ctx.targets.size()) {
      ResizeForms.Swap swap = ResizeForms.other(base, g, a);
      if (acceptance.accepting(swap.node(), true).size() > bestCount) {
        if (swap.whyNot() == null) {
          swap.initializers().forEach((name, t) -> g.initializers.put(name, Tensors.encode(name, t)));
          ctx.note(NAME, "Resize '" + n.getName() + "' (" + original.describe() + "): "
              + (ResizeForms.hasSizes(n) ? "sizes given as scales" : "scales given as sizes")
              + ", the same output length and coordinate scale in float32");
          return swap.node();
        }
        swapRefused = " (" + (ResizeForms.hasSizes(n) ? "scales" : "sizes") + " instead, which more would accept: "
            + swap.whyNot() + ")";
      }
    }
    if (best == null) {
      ctx.note(NAME, "Resize '" + n.getName() + "' (" + original.describe() + ") has no equivalent form that more "
          + "target releases accept" + swapRefused);
      return null;
    }
    if (materialize) {
      String name = g.freshName(n.getInput(2) + "_const");
      g.initializers.put(name, Tensors.encode(name, a.value(n.getInput(2))));
      best = best.toBuilder().setInput(2, name).build();
    }
    return best;
  }

  /**
   * Resize-10 and Upsample have no coordinate attributes to trade, so their one rewrite besides the Identity is
   * known scales written as an initializer (what 7.0-8.2 ask for).
   */
  private static NodeProto legacyRewrite(NodeProto n, FixGraph g, Analysis a, ResizeAcceptance acceptance,
      Set<String> accepting, FixContext ctx, ResizeCoordinates original) {
    int at = LegacyResize.scalesInput(n);
    boolean materialize = at > 0 && !g.initializers.containsKey(n.getInput(at));
    if (!materialize || acceptance.accepting(n, true).size() <= accepting.size()) {
      ctx.note(NAME, n.getOpType() + " '" + n.getName() + "' (" + original.describe() + ") has no equivalent form "
          + "that more target releases accept");
      return null;
    }
    String name = g.freshName(n.getInput(at) + "_const");
    g.initializers.put(name, Tensors.encode(name, a.value(n.getInput(at))));
    return n.toBuilder().setInput(at, name).build();
  }

  /**
   * antialias and keep_aspect_ratio_policy removed: {@link ResizeCoordinates#of} only answers for nodes where they
   * change nothing (nearest or no shrinking axis; scales given or sizes in one ratio).
   */
  private static NodeProto withoutNoOpAttributes(NodeProto n) {
    NodeProto out = n;
    for (String name : List.of("antialias", "keep_aspect_ratio_policy")) {
      if (Attrs.find(out, name) != null) {
        out = Attrs.without(out, name);
      }
    }
    return out;
  }

  private static NodeProto withModes(NodeProto n, String interpolation, String mode, String nearest) {
    NodeProto out = n;
    for (String name : List.of("mode", "coordinate_transformation_mode", "nearest_mode")) {
      out = Attrs.without(out, name);
    }
    if (!interpolation.equals("cubic")) {
      // cubic-only attributes; ONNX Runtime refuses exclude_outside=1 on other modes
      out = Attrs.without(Attrs.without(out, "cubic_coeff_a"), "exclude_outside");
    }
    out = out.toBuilder().addAttribute(string("mode", interpolation))
        .addAttribute(string("coordinate_transformation_mode", mode)).build();
    if (!nearest.isEmpty()) {
      out = out.toBuilder().addAttribute(string("nearest_mode", nearest)).build();
    }
    return out;
  }

  private static AttributeProto string(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
  }

}
