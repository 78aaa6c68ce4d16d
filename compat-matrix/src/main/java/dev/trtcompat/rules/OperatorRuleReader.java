package dev.trtcompat.rules;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one {@link OperatorRule} straight from the token stream. The knowledge base holds about 6,600 operator
 * rules with their provenance (table row, code fact, classified assertions), read at every start-up in a cold
 * JVM: Jackson's generic record binding buffers every property of every record before calling its constructor,
 * which made the operator list most of the start-up cost that grows with the number of releases. Constraints
 * keep Jackson's polymorphic binding (they are few). Unknown properties are reported to the context, so that
 * {@code FAIL_ON_UNKNOWN_PROPERTIES} still rejects a typo.
 */
final class OperatorRuleReader extends JsonDeserializer<OperatorRule> implements ResolvableDeserializer {

  // Looked up once: Jackson does not cache a list deserializer whose elements are polymorphic, and building it
  // for every operator would cost more than the whole hand-written read saves.
  private JsonDeserializer<Object> constraints;

  @Override
  public void resolve(DeserializationContext ctxt) throws JsonMappingException {
    constraints = ctxt.findRootValueDeserializer(
        ctxt.getTypeFactory().constructCollectionType(List.class, Constraint.class));
  }

  @Override
  public OperatorRule deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    expect(p, ctxt, p.currentToken() == JsonToken.START_OBJECT, "an operator rule must be a JSON object");
    String op = null;
    Support supported = null;
    Boolean experimental = null;
    List<String> types = null;
    String typesFrom = null;
    List<Constraint> constraintList = null;
    Boolean dataDependentOutputShape = null;
    OperatorRule.DocFact doc = null;
    OperatorRule.CodeFact code = null;
    List<AssertionFact> assertions = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      JsonToken value = p.nextToken();
      switch (name) {
        case "op" -> op = text(p, ctxt);
        case "supported" -> supported = support(p, ctxt);
        case "experimental" -> experimental = bool(p, ctxt);
        case "types" -> types = strings(p, ctxt);
        case "typesFrom" -> typesFrom = text(p, ctxt);
        case "constraints" -> constraintList = value == JsonToken.VALUE_NULL ? null : constraints(p, ctxt);
        case "dataDependentOutputShape" -> dataDependentOutputShape = bool(p, ctxt);
        case "doc" -> doc = value == JsonToken.VALUE_NULL ? null : doc(p, ctxt);
        case "code" -> code = value == JsonToken.VALUE_NULL ? null : code(p, ctxt);
        case "assertions" -> assertions = assertions(p, ctxt);
        default -> ctxt.handleUnknownProperty(p, this, OperatorRule.class, name);
      }
    }
    return new OperatorRule(op, supported, experimental, types, typesFrom, constraintList, dataDependentOutputShape, doc,
        code, assertions);
  }

  @SuppressWarnings("unchecked")
  private List<Constraint> constraints(JsonParser p, DeserializationContext ctxt) throws IOException {
    return (List<Constraint>) constraints.deserialize(p, ctxt);
  }

  private OperatorRule.DocFact doc(JsonParser p, DeserializationContext ctxt) throws IOException {
    expect(p, ctxt, p.currentToken() == JsonToken.START_OBJECT, "doc must be a JSON object");
    String supported = null;
    String types = null;
    String restrictions = null;
    List<String> duplicateRows = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "supported" -> supported = text(p, ctxt);
        case "types" -> types = text(p, ctxt);
        case "restrictions" -> restrictions = text(p, ctxt);
        case "duplicateRows" -> duplicateRows = strings(p, ctxt);
        default -> ctxt.handleUnknownProperty(p, this, OperatorRule.DocFact.class, name);
      }
    }
    return new OperatorRule.DocFact(supported, types, restrictions, duplicateRows);
  }

  private OperatorRule.CodeFact code(JsonParser p, DeserializationContext ctxt) throws IOException {
    expect(p, ctxt, p.currentToken() == JsonToken.START_OBJECT, "code must be a JSON object");
    Boolean registered = null;
    String note = null;
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "registered" -> registered = bool(p, ctxt);
        case "note" -> note = text(p, ctxt);
        default -> ctxt.handleUnknownProperty(p, this, OperatorRule.CodeFact.class, name);
      }
    }
    return new OperatorRule.CodeFact(registered, note);
  }

  private List<AssertionFact> assertions(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(p, ctxt, p.currentToken() == JsonToken.START_ARRAY, "assertions must be a JSON array");
    List<AssertionFact> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      expect(p, ctxt, p.currentToken() == JsonToken.START_OBJECT, "an assertion must be a JSON object");
      String id = null;
      AssertionFact.Kind kind = null;
      String constraint = null;
      String at = null;
      String what = null;
      for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
        p.nextToken();
        switch (name) {
          case "id" -> id = text(p, ctxt);
          case "class" -> kind = kind(p, ctxt);
          case "constraint" -> constraint = text(p, ctxt);
          case "at" -> at = text(p, ctxt);
          case "what" -> what = text(p, ctxt);
          default -> ctxt.handleUnknownProperty(p, this, AssertionFact.class, name);
        }
      }
      out.add(new AssertionFact(id, kind, constraint, at, what));
    }
    return out;
  }

  private static Support support(JsonParser p, DeserializationContext ctxt) throws IOException {
    String s = text(p, ctxt);
    if (s == null) {
      return null;
    }
    return switch (s) {
      case "yes" -> Support.YES;
      case "no" -> Support.NO;
      case "unknown" -> Support.UNKNOWN;
      default -> throw ctxt.weirdStringException(s, Support.class, "not yes, no or unknown");
    };
  }

  private static AssertionFact.Kind kind(JsonParser p, DeserializationContext ctxt) throws IOException {
    String s = text(p, ctxt);
    if (s == null) {
      return null;
    }
    return switch (s) {
      case "modelled" -> AssertionFact.Kind.MODELLED;
      case "runtime" -> AssertionFact.Kind.RUNTIME;
      case "static_unmodelled" -> AssertionFact.Kind.STATIC_UNMODELLED;
      case "not_applicable" -> AssertionFact.Kind.NOT_APPLICABLE;
      default -> throw ctxt.weirdStringException(s, AssertionFact.Kind.class, "not an assertion class");
    };
  }

  private static List<String> strings(JsonParser p, DeserializationContext ctxt) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(p, ctxt, p.currentToken() == JsonToken.START_ARRAY, "expected a JSON array of strings");
    List<String> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      out.add(text(p, ctxt));
    }
    return out;
  }

  private static String text(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(p, ctxt, t == JsonToken.VALUE_STRING, "expected a string");
    return p.getText();
  }

  private static Boolean bool(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(p, ctxt, t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE, "expected true or false");
    return t == JsonToken.VALUE_TRUE;
  }

  private static void expect(JsonParser p, DeserializationContext ctxt, boolean ok, String what) throws IOException {
    if (!ok) {
      throw ctxt.wrongTokenException(p, OperatorRule.class, p.currentToken(), what);
    }
  }
}
