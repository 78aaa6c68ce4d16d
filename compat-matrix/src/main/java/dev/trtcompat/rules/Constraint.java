package dev.trtcompat.rules;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * A machine-checkable restriction on a node, one JSON object per restriction with a {@code kind}.
 *
 * <p>Opset windows ({@code sinceOpset}/{@code untilOpset}, inclusive) let one rule follow an ONNX signature
 * change, e.g. Squeeze's {@code axes} moving from attribute to input at opset 13.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Constraint.ConstantInput.class, name = "constant_input"),
  @JsonSubTypes.Type(value = Constraint.AttributeValues.class, name = "attribute_values"),
  @JsonSubTypes.Type(value = Constraint.AttributeAllOnes.class, name = "attribute_all_ones"),
  @JsonSubTypes.Type(value = Constraint.AttributeExcludes.class, name = "attribute_excludes"),
  @JsonSubTypes.Type(value = Constraint.ForbiddenAttributes.class, name = "forbidden_attributes"),
  @JsonSubTypes.Type(value = Constraint.InputRank.class, name = "input_rank"),
  @JsonSubTypes.Type(value = Constraint.UnsupportedOutput.class, name = "unsupported_output"),
  @JsonSubTypes.Type(value = Constraint.InputValueMax.class, name = "input_value_max"),
  @JsonSubTypes.Type(value = Constraint.InputAllZero.class, name = "input_all_zero"),
  @JsonSubTypes.Type(value = Constraint.StaticInputShape.class, name = "static_input_shape"),
  @JsonSubTypes.Type(value = Constraint.OptionalInput.class, name = "optional_input"),
  @JsonSubTypes.Type(value = Constraint.DeclaredEmptyInput.class, name = "declared_empty_input"),
  @JsonSubTypes.Type(value = Constraint.NotStaticallyCheckable.class, name = "not_statically_checkable"),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface Constraint {

  /** A short stable id used as the finding's rule name. */
  String id();

  /** True when the constraint applies to a node of a model at {@code opset}. */
  default boolean appliesAt(long opset) {
    return true;
  }

  private static boolean window(Integer since, Integer until, long opset) {
    return (since == null || opset >= since) && (until == null || opset <= until);
  }

  /**
   * What an importer takes for "the node has input i", the test behind {@code whenInputPresent} and
   * {@code unlessInputPresent}; absent in a file means {@link #GIVEN}.
   */
  enum InputPresence {
    /** Declared and not left empty: ONNX's meaning (8.4+ Resize: {@code !inputs.at(3).isNullTensor()}). */
    @JsonProperty("given")
    GIVEN,
    /**
     * Declared, even with an empty name: the importer counts inputs (7.0-8.2 Resize: {@code inputs.size() == 4}),
     * and ModelImporter counts an empty name as a null input.
     */
    @JsonProperty("declared")
    DECLARED;

    /** True when input {@code i} of a node with these input names is present in this sense. */
    public boolean test(List<String> inputs, int i) {
      return inputs.size() > i && (this == DECLARED || !inputs.get(i).isEmpty());
    }

    static InputPresence orGiven(InputPresence p) {
      return p == null ? GIVEN : p;
    }
  }

  /**
   * Input {@code input} must be an initializer ({@code mode=initializer}: initializer or Constant node) or
   * computable at build time ({@code mode=constant}: also a foldable chain of static shapes).
   *
   * @param unlessInputPresent skip the rule when this other input is present (Resize: sizes instead of scales)
   * @param inputPresence what "present" means to this release's importer ({@code null}: given)
   */
  record ConstantInput(
      int input,
      String name,
      String mode,
      Integer sinceOpset,
      Integer untilOpset,
      Integer unlessInputPresent,
      InputPresence inputPresence)
      implements Constraint {
    public String id() {
      return "constant_input." + name;
    }

    /** True when a node with these input names takes the other form, so the importer never reads this input. */
    public boolean skippedFor(List<String> inputs) {
      return unlessInputPresent != null && InputPresence.orGiven(inputPresence).test(inputs, unlessInputPresent);
    }

    public boolean appliesAt(long opset) {
      return window(sinceOpset, untilOpset, opset);
    }

    public boolean initializerRequired() {
      return !"constant".equals(mode);
    }
  }

  /**
   * A string or integer attribute must take one of {@code allowed} (written as strings). The ONNX default
   * applies when the attribute is absent. {@code when} limits the rule to nodes whose other attributes have
   * the given values (Resize nearest_mode only when mode is nearest); {@code whenInputPresent} and
   * {@code unlessInputPresent} limit it to nodes that have, or lack, that input (7.1-7.2 Resize allow other
   * coordinate modes with sizes than with scales), present in the sense of {@code inputPresence}.
   */
  record AttributeValues(
      String attribute,
      List<String> allowed,
      String default_,
      Integer sinceOpset,
      Integer untilOpset,
      Map<String, String> when,
      Integer whenInputPresent,
      Integer unlessInputPresent,
      InputPresence inputPresence)
      implements Constraint {
    @com.fasterxml.jackson.annotation.JsonCreator
    public AttributeValues(
        @com.fasterxml.jackson.annotation.JsonProperty("attribute") String attribute,
        @com.fasterxml.jackson.annotation.JsonProperty("allowed") List<String> allowed,
        @com.fasterxml.jackson.annotation.JsonProperty("default") String default_,
        @com.fasterxml.jackson.annotation.JsonProperty("sinceOpset") Integer sinceOpset,
        @com.fasterxml.jackson.annotation.JsonProperty("untilOpset") Integer untilOpset,
        @com.fasterxml.jackson.annotation.JsonProperty("when") Map<String, String> when,
        @com.fasterxml.jackson.annotation.JsonProperty("whenInputPresent") Integer whenInputPresent,
        @com.fasterxml.jackson.annotation.JsonProperty("unlessInputPresent") Integer unlessInputPresent,
        @com.fasterxml.jackson.annotation.JsonProperty("inputPresence") InputPresence inputPresence) {
      this.attribute = attribute;
      this.allowed = List.copyOf(allowed);
      this.default_ = default_;
      this.sinceOpset = sinceOpset;
      this.untilOpset = untilOpset;
      this.when = when == null ? Map.of() : Map.copyOf(when);
      this.whenInputPresent = whenInputPresent;
      this.unlessInputPresent = unlessInputPresent;
      this.inputPresence = inputPresence;
    }

    @com.fasterxml.jackson.annotation.JsonProperty("default")
    public String default_() {
      return default_;
    }

    public String id() {
      return "attribute_values." + attribute;
    }

    public boolean appliesAt(long opset) {
      return window(sinceOpset, untilOpset, opset);
    }

    /** True when a node with these input names meets the input conditions. */
    public boolean appliesToInputs(List<String> inputs) {
      InputPresence present = InputPresence.orGiven(inputPresence);
      return (whenInputPresent == null || present.test(inputs, whenInputPresent))
          && (unlessInputPresent == null || !present.test(inputs, unlessInputPresent));
    }

    /** The input condition in words for messages ("" without one). */
    public String inputCondition() {
      boolean declared = InputPresence.orGiven(inputPresence) == InputPresence.DECLARED;
      return whenInputPresent != null ? " with input " + whenInputPresent + (declared ? " declared" : " given")
          : unlessInputPresent != null ? " without input " + unlessInputPresent + (declared ? " declared" : "") : "";
    }
  }

  /** An integer-list attribute must be absent, empty or all ones (pooling dilations). */
  record AttributeAllOnes(String attribute) implements Constraint {
    public String id() {
      return "attribute_all_ones." + attribute;
    }
  }

  /** A string attribute must not contain any of {@code substrings} (Einsum ellipsis). */
  record AttributeExcludes(String attribute, List<String> substrings) implements Constraint {
    public String id() {
      return "attribute_excludes." + attribute;
    }
  }

  /** None of these attributes may be set (Constant's sparse and string values). */
  record ForbiddenAttributes(List<String> attributes) implements Constraint {
    public String id() {
      return "forbidden_attributes";
    }
  }

  /** The rank of input {@code input} must lie in [min, max] (2D/3D pooling is rank 4..5). */
  record InputRank(int input, int min, int max) implements Constraint {
    public String id() {
      return "input_rank";
    }
  }

  /**
   * Output {@code output} must not be consumed (MaxPool Indices); with {@code whenDeclared}, the node must not
   * even declare it (the importer asserts the node's output count).
   */
  record UnsupportedOutput(int output, String name, Boolean whenDeclared) implements Constraint {
    public String id() {
      return "unsupported_output." + name;
    }
  }

  /** The value of a scalar input must not exceed {@code max} (TopK K). */
  record InputValueMax(int input, String name, long max) implements Constraint {
    public String id() {
      return "input_value_max." + name;
    }
  }

  /** A quantization zero point must be a constant whose values are all zero (symmetric quantization). */
  record InputAllZero(int input, String name, Boolean ignoredWhenConstant) implements Constraint {
    public String id() {
      return "input_all_zero." + name;
    }

    /**
     * True where the importer does not check a constant value but drops it (9.0 and 9.2 QuantizeLinear): a
     * non-zero zero point then parses, and the engine quantizes as if it were zero.
     */
    public boolean ignored() {
      return Boolean.TRUE.equals(ignoredWhenConstant);
    }
  }

  /** Input {@code input} must have a fully static shape. */
  record StaticInputShape(int input) implements Constraint {
    public String id() {
      return "static_input_shape";
    }
  }

  /**
   * Optional input {@code input} must be given ({@code present}) or left out (Scan's opset-8 sequence_lens; the
   * zero point of Q/DQ on 8.0-8.6).
   */
  record OptionalInput(int input, String name, boolean present, Integer sinceOpset, Integer untilOpset)
      implements Constraint {
    public String id() {
      return "optional_input." + name;
    }

    public boolean appliesAt(long opset) {
      return window(sinceOpset, untilOpset, opset);
    }
  }

  /**
   * Optional input {@code input} must not be declared with an empty name: the importer tests only the input count,
   * takes the path that reads it and converts the null input it then holds (7.0-8.2 Resize sizes).
   */
  record DeclaredEmptyInput(int input, String name, Integer sinceOpset, Integer untilOpset) implements Constraint {
    public String id() {
      return "declared_empty_input." + name;
    }

    /** True when a node with these input names declares the input with an empty name. */
    public boolean declaredEmpty(List<String> inputs) {
      return inputs.size() > input && inputs.get(input).isEmpty();
    }

    public boolean appliesAt(long opset) {
      return window(sinceOpset, untilOpset, opset);
    }
  }

  /**
   * A documented restriction that depends on runtime values or shapes; reported as info so that it is never
   * silently taken for a pass.
   */
  record NotStaticallyCheckable(String check) implements Constraint {
    public String id() {
      return "runtime_restriction." + check;
    }
  }
}
