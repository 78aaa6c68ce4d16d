package dev.trtcompat.rules;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One assertion or error return of the release's op importer (or static checker), as classified in
 * {@code assertions/classes.json} and attached to the operator by {@code tools/gen_rules.py}.
 *
 * @param id the stable assertion id of {@code assertions/tensorrt-<release>.json}
 * @param assertionClass how the checker treats it
 * @param constraint for {@code modelled}: the id of the operator's constraint that decides it ({@code a|b}: either)
 * @param at {@code file:line} in the release's importer code (the commit is in the manifest)
 * @param what for {@code runtime} and {@code static_unmodelled}: what the importer checks, in our words
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssertionFact(
    String id, @JsonProperty("class") Kind assertionClass, String constraint, String at, String what) {

  /** The classification of an assertion. */
  public enum Kind {
    /** A named constraint of the operator's rule decides it statically. */
    @JsonProperty("modelled")
    MODELLED,
    /** Decided by values or shapes known only when TensorRT builds: reported as info. */
    @JsonProperty("runtime")
    RUNTIME,
    /** Statically decidable but not modelled yet: reported as info so it is never a silent pass. */
    @JsonProperty("static_unmodelled")
    STATIC_UNMODELLED,
    /** An internal invariant or a rule of a valid ONNX model; nothing to report. */
    @JsonProperty("not_applicable")
    NOT_APPLICABLE
  }

  /** The constraint ids a modelled assertion may map to. */
  public List<String> constraintIds() {
    return constraint == null ? List.of() : List.of(constraint.split("\\|"));
  }

  /** The check is left to the build and must be reported as info. */
  public boolean undecided() {
    return assertionClass == Kind.RUNTIME || assertionClass == Kind.STATIC_UNMODELLED;
  }
}
