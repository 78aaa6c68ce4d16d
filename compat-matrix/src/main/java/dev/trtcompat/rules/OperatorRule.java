package dev.trtcompat.rules;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;

/**
 * One operator as one release's parser handles it.
 *
 * @param supported the decided fact (the importer code wins over the table when they disagree)
 * @param experimental the table marks support as experimental
 * @param types element types the table lists for the operator (ONNX names); null when the table gives none
 *     (before 8.0), which means "not restricted by this file", not "all types"
 * @param typesFrom {@code code} when the list was read from an importer assert (a mismatch fails the parse),
 *     {@code doc} when it is the table's column (tables lag the code, so a mismatch is a warning)
 * @param constraints structured restrictions a node must meet
 * @param dataDependentOutputShape the output shape depends on input values (NonZero, NonMaxSuppression)
 * @param doc the table row as published
 * @param code what the importer code of the branch shows
 * @param assertions the importer's classified assertions for this operator (provenance of the constraints, and
 *     the checks left to the build)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonDeserialize(using = OperatorRuleReader.class)
public record OperatorRule(
    String op,
    Support supported,
    Boolean experimental,
    List<String> types,
    String typesFrom,
    List<Constraint> constraints,
    Boolean dataDependentOutputShape,
    DocFact doc,
    CodeFact code,
    List<AssertionFact> assertions) {

  public OperatorRule {
    constraints = constraints == null ? List.of() : List.copyOf(constraints);
    assertions = assertions == null ? List.of() : List.copyOf(assertions);
    types = types == null ? null : List.copyOf(types);
  }

  /** The type list is an importer assert rather than the table's column. */
  public boolean typesFromCode() {
    return "code".equals(typesFrom);
  }

  public boolean isExperimental() {
    return Boolean.TRUE.equals(experimental);
  }

  public boolean hasDataDependentOutputShape() {
    return Boolean.TRUE.equals(dataDependentOutputShape);
  }

  /** Importer checks this knowledge base does not decide (run-time values, or not modelled yet). */
  public List<AssertionFact> undecidedAssertions() {
    return assertions.stream().filter(AssertionFact::undecided).toList();
  }

  /** A row of the release's operator table, verbatim. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DocFact(String supported, String types, String restrictions, List<String> duplicateRows) {}

  /**
   * Whether the branch's importer registers the operator, and any check read from its code; {@code registered} is
   * null where the release's importer code was not read (table-only and derived releases).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CodeFact(Boolean registered, String note) {}
}
