package dev.trtcompat.fix;

import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import java.util.List;
import java.util.Set;

/**
 * Drops the trailing empty-named inputs of a Resize ({@code [X, roi, scales, ""]} becomes {@code [X, roi, scales]}):
 * to ONNX an omitted trailing optional input and an empty name are the same node, but TensorRT 7.0-8.2's importer
 * takes the sizes path on the input count alone and converts a null tensor (the knowledge base's
 * {@code declared_empty_input}). Only Resize, and only where a target release rejects the node for that reason
 * ({@link ResizeAcceptance}): other importers assert input counts (8.0-8.6's Q/DQ helper: three inputs).
 */
final class ResizeEmptySizesPass implements FixPass {

  static final String NAME = "resize-empty-sizes";

  private static final String RULE = "declared_empty_input.";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String reason() {
    return "TensorRT 7.0-8.2 read Resize's sizes whenever there are four inputs, even when the fourth name is empty";
  }

  @Override
  public Set<String> removes() {
    return Set.of(RULE);
  }

  @Override
  public boolean apply(FixGraph g, FixContext ctx) {
    if (ctx.findingRules("Resize").stream().noneMatch(r -> r.startsWith(RULE))) {
      return false;
    }
    ResizeAcceptance acceptance = new ResizeAcceptance(ctx.targets, g);
    boolean changed = false;
    for (int k = 0; k < g.nodes.size(); k++) {
      NodeProto n = g.nodes.get(k);
      if (!n.getOpType().equals("Resize") || !FixGraph.defaultDomain(n)) {
        continue;
      }
      Set<String> rejecting = acceptance.rejectingDeclaredEmpty(n);
      if (rejecting.isEmpty()) {
        continue;
      }
      List<String> inputs = n.getInputList();
      int keep = inputs.size();
      while (keep > 1 && inputs.get(keep - 1).isEmpty()) {
        keep--;
      }
      g.nodes.set(k, n.toBuilder().clearInput().addAllInput(inputs.subList(0, keep)).build());
      ctx.note(NAME, "Resize '" + n.getName() + "': trailing empty input(s) dropped, " + inputs.size() + " inputs -> "
          + keep + " (" + String.join(", ", rejecting) + " took the empty name as a given sizes)");
      changed = true;
    }
    return changed;
  }
}
