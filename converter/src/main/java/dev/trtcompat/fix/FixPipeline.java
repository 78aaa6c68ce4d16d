package dev.trtcompat.fix;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The passes in their default order, selection by name, and the run to a fixed point: the passes repeat until
 * a whole round changes nothing (folding can expose dead nodes, clean-up can expose foldable chains), at most
 * {@link #MAX_ROUNDS} rounds.
 */
public final class FixPipeline {

  static final int MAX_ROUNDS = 8;

  private final List<FixPass> passes;

  private FixPipeline(List<FixPass> passes) {
    this.passes = List.copyOf(passes);
  }

  /** Every pass, in the order they run. */
  static List<FixPass> all() {
    return List.of(
        new ShapesPass(), new FoldConstantsPass(), new Int64ToInt32Pass(), new MaxPoolIndicesPass(),
        new OpsetDowngradePass(),
        new HardSwishPass(), new MishPass(), new GeluPass(), new LayerNormPass(), new GroupNormPass(),
        new EinsumPass(), new ResizePass(), new CleanUpPass());
  }

  public static List<String> knownNames() {
    return all().stream().map(FixPass::name).toList();
  }

  /**
   * @param names pass names (empty: all); order does not matter, passes run in the default order
   * @throws UserFacingException BAD_REQUEST naming the known passes when a name is unknown
   */
  public static FixPipeline of(List<String> names) {
    if (names == null || names.isEmpty()) {
      return new FixPipeline(all());
    }
    Set<String> wanted = new LinkedHashSet<>();
    for (String n : names) {
      String t = n.trim();
      if (!knownNames().contains(t)) {
        throw new UserFacingException(Kind.BAD_REQUEST, "unknown_pass",
            "unknown pass '" + t + "'; known passes: " + String.join(", ", knownNames()));
      }
      wanted.add(t);
    }
    return new FixPipeline(all().stream().filter(p -> wanted.contains(p.name())).toList());
  }

  List<FixPass> passes() {
    return passes;
  }

  /**
   * Runs the passes to a fixed point.
   *
   * @param afterChange called after each pass that changed the graph, for attributing findings
   * @return names of the passes that changed something, in default order
   */
  List<String> run(FixGraph g, FixContext ctx, BiConsumer<FixPass, FixGraph> afterChange) {
    Set<String> applied = new LinkedHashSet<>();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      boolean any = false;
      for (FixPass p : passes) {
        if (p.apply(g, ctx)) {
          any = true;
          applied.add(p.name());
          afterChange.accept(p, g);
        }
      }
      if (!any) {
        break;
      }
    }
    List<String> ordered = new ArrayList<>();
    for (FixPass p : passes) {
      if (applied.contains(p.name())) {
        ordered.add(p.name());
      }
    }
    return ordered;
  }
}
