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

  /** Every pass, opt-in ones included, in the order they run. */
  static List<FixPass> all() {
    return List.of(
        new OpsetUpgradePass(), new ShapesPass(), new FoldConstantsPass(), new Int64IoPass(), new Int64ToInt32Pass(), new MaxPoolIndicesPass(),
        new OpsetDowngradePass(),
        new HardSwishPass(), new MishPass(), new GeluPass(), new LayerNormPass(), new GroupNormPass(),
        new EinsumPass(), new ResizeEmptySizesPass(), new ResizePass(), new CleanUpPass());
  }

  /** Passes that run only when named: they change the model's interface (its input and output types). */
  public static final Set<String> OPT_IN = Set.of(Int64IoPass.NAME);

  /** The passes that run when none is named. */
  static List<FixPass> defaults() {
    return all().stream().filter(p -> !OPT_IN.contains(p.name())).toList();
  }

  public static List<String> knownNames() {
    return all().stream().map(FixPass::name).toList();
  }

  /** {@code names} (empty: the default passes) plus the opt-in pass {@code optIn}, e.g. for {@code --int64-io}. */
  public static List<String> plus(List<String> names, String optIn) {
    List<String> out = new ArrayList<>(names == null || names.isEmpty()
        ? defaults().stream().map(FixPass::name).toList() : names);
    if (!out.contains(optIn)) {
      out.add(optIn);
    }
    return out;
  }

  /**
   * @param names pass names (empty: all but the opt-in ones); order does not matter, passes run in the default order
   * @throws UserFacingException BAD_REQUEST naming the known passes when a name is unknown
   */
  public static FixPipeline of(List<String> names) {
    if (names == null || names.isEmpty()) {
      return new FixPipeline(defaults());
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
