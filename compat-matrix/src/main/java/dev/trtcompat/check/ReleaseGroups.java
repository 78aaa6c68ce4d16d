package dev.trtcompat.check;

import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.rules.AssertionFact;
import dev.trtcompat.rules.Constraint;
import dev.trtcompat.rules.KnowledgeBase;
import dev.trtcompat.rules.OperatorRule;
import dev.trtcompat.rules.ReleaseRules;
import dev.trtcompat.rules.Support;
import dev.trtcompat.rules.TypePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For one check, the releases that judge a default-domain node alike, per operator and opset: releases whose
 * {@link NodeRules} read the same facts for that operator (the same rule fields, the same schema-newer-than-parser
 * outcome, the same implicit narrowing). Their findings differ only in the release named in the text, so a node is
 * evaluated once per group, and again for each other member only when that evaluation found something: most nodes
 * of a large model find nothing, and the rules of an operator change in a handful of the ~35 releases.
 *
 * <p>The key must list every release-dependent fact {@link NodeRules#check} reads; a fact it forgets would let a
 * member miss a finding. {@code ReleaseGroupsTest} checks grouped and one-by-one results against each other.
 */
final class ReleaseGroups {

  private final KnowledgeBase kb;
  private final List<ReleaseRules> releases;
  /** Op type, then opset, to groups of release indexes (the first of each group is the one evaluated). */
  private final Map<String, Map<Long, int[][]>> byOp = new HashMap<>();
  private final int[][] oneByOne;

  ReleaseGroups(KnowledgeBase kb, List<ReleaseRules> releases) {
    this.kb = kb;
    this.releases = releases;
    oneByOne = new int[releases.size()][];
    for (int i = 0; i < oneByOne.length; i++) {
      oneByOne[i] = new int[] {i};
    }
  }

  /** Every release on its own: what nodes outside the default domain get (their rules are few and per release). */
  int[][] oneByOne() {
    return oneByOne;
  }

  /** The groups for a default-domain node of {@code op} selected by {@code opset}. */
  int[][] of(String op, long opset) {
    // get first: a capturing lambda would be allocated per node (C1 does not remove it)
    Map<Long, int[][]> byOpset = byOp.get(op);
    int[][] groups = byOpset == null ? null : byOpset.get(opset);
    if (groups == null) {
      groups = group(op, opset);
      byOp.computeIfAbsent(op, k -> new HashMap<>(2)).put(opset, groups);
    }
    return groups;
  }

  private int[][] group(String op, long opset) {
    int since = kb.onnxOperators().schemaVersion("ai.onnx", op, opset);
    Map<Key, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < releases.size(); i++) {
      groups.computeIfAbsent(key(releases.get(i), op, since), k -> new ArrayList<>()).add(i);
    }
    int[][] out = new int[groups.size()][];
    int g = 0;
    for (List<Integer> members : groups.values()) {
      out[g++] = members.stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  /**
   * What {@link NodeRules} reads of a release for a node of this op, apart from the release's name
   * ({@code localFunctions}: a default-domain node may call a model-local function).
   */
  private record Key(
      boolean listed,
      boolean localFunctions,
      Support support,
      boolean schemaNewer,
      boolean experimental,
      boolean dataDependentShape,
      List<String> types,
      String typesFrom,
      boolean doubleCastDown,
      boolean int64CastDown,
      List<Constraint> constraints,
      boolean hasAssertions,
      List<String> undecided) {}

  private static Key key(ReleaseRules rel, String op, int since) {
    OperatorRule r = rel.operator(op).orElse(null);
    Support support = r == null ? rel.unlistedOperators() : r.supported();
    boolean schemaNewer = since > rel.parser().opsetMax();
    if (r == null) {
      return new Key(false, rel.localFunctions(), support, schemaNewer, false, false, null, null, false, false, List.of(), false, List.of());
    }
    return new Key(true, rel.localFunctions(), support, schemaNewer, r.isExperimental(), r.hasDataDependentOutputShape(), r.types(),
        r.typesFrom(), castDown(rel, ElementType.DOUBLE), castDown(rel, ElementType.INT64), r.constraints(),
        !r.assertions().isEmpty(), r.undecidedAssertions().stream().map(AssertionFact::what).toList());
  }

  private static boolean castDown(ReleaseRules rel, ElementType t) {
    return rel.elementType(t.name()).orElse(null) == TypePolicy.CAST_DOWN;
  }
}
