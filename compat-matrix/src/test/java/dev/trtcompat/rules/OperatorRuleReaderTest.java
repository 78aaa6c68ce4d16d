package dev.trtcompat.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written operator-rule read keeps every fact: each bundled release file reads to the same rules as
 * Jackson's generic record binding, and it is as strict about bad input.
 */
class OperatorRuleReaderTest {

  /** Switches the hand-written reader off, leaving Jackson's generic record binding. */
  @JsonDeserialize(using = JsonDeserializer.None.class)
  interface GenericBinding {}

  static Stream<String> releaseFiles() {
    return KnowledgeBase.bundled().releases().stream().map(r -> "tensorrt-" + r.release() + ".json");
  }

  @ParameterizedTest
  @MethodSource("releaseFiles")
  void readsTheSameRulesAsGenericBinding(String file) throws IOException {
    ObjectMapper generic = KnowledgeBase.mapper().addMixIn(OperatorRule.class, GenericBinding.class);
    // the mix-in really switches the reader off: generic binding coerces a number to the op name, the reader not
    assertThat(generic.readValue("{\"op\": 7}", OperatorRule.class).op()).isEqualTo("7");
    List<OperatorRule> expected = read(generic, file).operators();
    List<OperatorRule> actual = read(KnowledgeBase.mapper(), file).operators();
    assertThat(expected).isNotEmpty();
    assertThat(actual).isEqualTo(expected);
    // the bundled instance is read by the same reader
    assertThat(KnowledgeBase.bundled().release(file.substring(9, file.length() - 5)).orElseThrow().operators())
        .isEqualTo(expected);
  }

  private static ReleaseRules read(ObjectMapper mapper, String file) throws IOException {
    try (InputStream in = KnowledgeBase.class.getResourceAsStream(KnowledgeBase.BASE + file)) {
      return mapper.readValue(in, ReleaseRules.class);
    }
  }

  @Test
  void readsEveryFieldWithNulls() throws JsonProcessingException {
    OperatorRule r = KnowledgeBase.mapper().readValue("""
        {"op": "Resize", "supported": "yes", "experimental": true, "types": null, "typesFrom": "code",
         "constraints": [{"kind": "input_rank", "input": 0, "min": 4, "max": 5}], "dataDependentOutputShape": false,
         "doc": {"supported": "Y", "types": null, "restrictions": "r", "duplicateRows": ["N"]},
         "code": {"registered": true, "note": "n"},
         "assertions": [{"id": "0123456789ab", "class": "runtime", "at": "a.cpp:1@abc", "what": "w"},
                        {"id": "0123456789ac", "class": "modelled", "constraint": "input_rank", "at": "a.cpp:2@abc"}]}
        """, OperatorRule.class);
    assertThat(r).isEqualTo(new OperatorRule("Resize", Support.YES, true, null, "code",
        List.of(new Constraint.InputRank(0, 4, 5)), false,
        new OperatorRule.DocFact("Y", null, "r", List.of("N")), new OperatorRule.CodeFact(true, "n"),
        List.of(new AssertionFact("0123456789ab", AssertionFact.Kind.RUNTIME, null, "a.cpp:1@abc", "w"),
            new AssertionFact("0123456789ac", AssertionFact.Kind.MODELLED, "input_rank", "a.cpp:2@abc", null))));
    assertThat(KnowledgeBase.mapper().readValue("{\"op\": \"Relu\", \"supported\": \"no\"}", OperatorRule.class))
        .isEqualTo(new OperatorRule("Relu", Support.NO, null, null, null, null, null, null, null, null));
  }

  @Test
  void rejectsUnknownPropertiesAndValuesAtEveryLevel() {
    ObjectMapper m = KnowledgeBase.mapper();
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"suported\": \"yes\"}", OperatorRule.class))
        .isInstanceOf(JsonProcessingException.class).hasMessageContaining("suported");
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"doc\": {\"typez\": \"x\"}}", OperatorRule.class))
        .hasMessageContaining("typez");
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"code\": {\"registred\": true}}", OperatorRule.class))
        .hasMessageContaining("registred");
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"assertions\": [{\"ide\": \"x\"}]}", OperatorRule.class))
        .hasMessageContaining("ide");
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"supported\": \"maybe\"}", OperatorRule.class))
        .hasMessageContaining("maybe");
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"assertions\": [{\"class\": \"sometimes\"}]}",
        OperatorRule.class)).hasMessageContaining("sometimes");
    assertThatThrownBy(() -> m.readValue("{\"op\": 7}", OperatorRule.class)).hasMessageContaining("expected a string");
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"types\": \"FLOAT\"}", OperatorRule.class))
        .hasMessageContaining("array");
    assertThatThrownBy(() -> m.readValue("{\"op\": \"Relu\", \"constraints\": [{\"kind\": \"no_such_kind\"}]}",
        OperatorRule.class)).hasMessageContaining("no_such_kind");
  }

  @Test
  void validatorNamesTheBrokenOperatorAndAssertion() {
    ReleaseRules base = KnowledgeBase.bundled().release("10.0").orElseThrow();
    OperatorRule badName = new OperatorRule("1x", Support.YES, null, null, null, List.of(), null, null, null, null);
    assertThatThrownBy(() -> RulesValidator.validate("tensorrt-10.0.json", with(base, badName)))
        .hasMessage("knowledge base tensorrt-10.0.json: bad operator name 1x");
    OperatorRule badId = new OperatorRule("Relu", Support.YES, null, null, null, List.of(), null, null, null,
        List.of(new AssertionFact("xyz", AssertionFact.Kind.RUNTIME, null, "a.cpp:1", "w")));
    assertThatThrownBy(() -> RulesValidator.validate("tensorrt-10.0.json", with(base, badId)))
        .hasMessage("knowledge base tensorrt-10.0.json Relu: assertion id must be 12 hex digits");
    OperatorRule unmodelled = new OperatorRule("Relu", Support.YES, null, null, null, List.of(), null, null, null,
        List.of(new AssertionFact("0123456789ab", AssertionFact.Kind.MODELLED, "input_rank", "a.cpp:1", null)));
    assertThatThrownBy(() -> RulesValidator.validate("tensorrt-10.0.json", with(base, unmodelled)))
        .hasMessageContaining("Relu: assertion 0123456789ab is modelled by input_rank, which the rule does not have");
    OperatorRule badRank = new OperatorRule("MaxPool", Support.YES, null, null, null,
        List.of(new Constraint.InputRank(0, 5, 4)), null, null, null, null);
    assertThatThrownBy(() -> RulesValidator.validate("tensorrt-10.0.json", with(base, badRank)))
        .hasMessage("knowledge base tensorrt-10.0.json MaxPool: bad rank range");
  }

  private static ReleaseRules with(ReleaseRules base, OperatorRule op) {
    return new ReleaseRules(base.release(), base.status(), base.read(), base.derivedFrom(), base.changelog(),
        base.sources(), base.parser(), "unsupported", base.fallbackPluginImporter(), base.localFunctions(),
        base.elementTypes(), List.of(op), base.resolutions(), base.notes());
  }
}
