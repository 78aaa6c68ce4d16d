package dev.trtcompat.rules;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Load-time checks of a release file: a broken fact must stop start-up, not turn into a silent pass later.
 */
final class RulesValidator {

  /** ONNX element type names (IR 11); a policy for any other name is a typo. */
  static final Set<String> ELEMENT_TYPES =
      Set.of(
          "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16", "DOUBLE",
          "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
          "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1", "FLOAT8E8M0");

  // Compiled once: String.matches compiles its pattern on every call, and these run for every operator and
  // assertion of every release (that alone was about 4 ms of start-up per release file).
  private static final Pattern RELEASE = Pattern.compile("\\d+\\.\\d+");
  private static final Pattern OPERATOR_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final Pattern ASSERTION_ID = Pattern.compile("[0-9a-f]{12}");

  private RulesValidator() {}

  static void validate(String file, ReleaseRules r) {
    require(r.release() != null && RELEASE.matcher(r.release()).matches(), file, "release must be MAJOR.MINOR");
    require(file.equals("tensorrt-" + r.release() + ".json"), file, "file name must match release " + r.release());
    require(r.status() != null, file, "status must be source or derived");
    if (r.isDerived()) {
      require(r.derivedFrom() != null && r.read().isEmpty(), file, "a derived release names derivedFrom and reads nothing");
      for (ReleaseRules.ChangelogLine c : r.changelog()) {
        require(c.line() != null && c.effect() != null && c.source() != null && c.source().startsWith("https://"),
            file, "every changelog line needs its text, effect and an https source");
      }
    } else {
      require(r.derivedFrom() == null && r.changelog().isEmpty(), file, "a source release has no derivedFrom/changelog");
      require(!r.read().isEmpty(), file, "a source release says what was read (table, code)");
    }
    require(!r.sources().isEmpty(), file, "sources must name at least one document");
    for (Source s : r.sources()) {
      require(s.url() != null && s.url().startsWith("https://"), file, "every source needs an https URL");
    }
    require(r.parser() != null, file, "parser facts missing");
    require(r.parser().opsetMin() >= 1 && r.parser().opsetMax() >= r.parser().opsetMin(), file, "bad opset range");
    for (String t : r.elementTypes().keySet()) {
      require(ELEMENT_TYPES.contains(t), file, "unknown element type " + t);
    }
    require(r.elementTypes().containsKey("FLOAT") && r.elementTypes().containsKey("INT64"), file,
        "elementTypes must cover at least FLOAT and INT64");
    Set<String> seen = new HashSet<>();
    // The per-operator and per-assertion checks run thousands of times at start-up: their messages are built
    // only when a check fails.
    for (OperatorRule op : r.operators()) {
      if (op.op() == null || !OPERATOR_NAME.matcher(op.op()).matches()) {
        fail(file, "bad operator name " + op.op());
      }
      if (!seen.add(op.op())) {
        fail(file, "operator listed twice: " + op.op());
      }
      if (op.supported() == null) {
        fail(where(file, op), "supported missing");
      }
      if (op.types() != null) {
        for (String t : op.types()) {
          if (!ELEMENT_TYPES.contains(t)) {
            fail(where(file, op), "unknown element type " + t);
          }
        }
      }
      if (op.supported() != Support.YES && !op.constraints().isEmpty()) {
        fail(where(file, op), "an unsupported operator carries no constraints");
      }
      for (Constraint c : op.constraints()) {
        validate(file, op, c);
      }
      validateAssertions(file, op);
    }
  }

  private static String where(String file, OperatorRule op) {
    return file + " " + op.op();
  }

  /** Each classified assertion is well-formed, and a modelled one names a constraint the rule really has. */
  private static void validateAssertions(String file, OperatorRule op) {
    if (op.assertions().isEmpty()) {
      return;
    }
    Set<String> ids = new HashSet<>();
    for (Constraint c : op.constraints()) {
      ids.add(c.id());
    }
    if (op.typesFromCode()) {
      ids.add("types");
    }
    for (AssertionFact a : op.assertions()) {
      if (a.id() == null || !ASSERTION_ID.matcher(a.id()).matches()) {
        fail(where(file, op), "assertion id must be 12 hex digits");
      }
      if (a.assertionClass() == null || a.at() == null) {
        fail(where(file, op), "assertion " + a.id() + " needs class and at");
      }
      if (a.assertionClass() == AssertionFact.Kind.MODELLED) {
        if (a.constraintIds().stream().noneMatch(ids::contains)) {
          fail(where(file, op),
              "assertion " + a.id() + " is modelled by " + a.constraint() + ", which the rule does not have");
        }
      } else if (a.undecided() && (a.what() == null || a.what().isBlank())) {
        fail(where(file, op), "assertion " + a.id() + " needs a description");
      }
    }
  }

  private static void validate(String file, OperatorRule op, Constraint c) {
    if (c instanceof Constraint.ConstantInput ci) {
      require(ci.input() >= 0 && ci.name() != null, file, op, "constant_input needs input and name");
      require("initializer".equals(ci.mode()) || "constant".equals(ci.mode()), file, op, "mode initializer|constant");
    } else if (c instanceof Constraint.AttributeValues av) {
      require(av.attribute() != null && !av.allowed().isEmpty(), file, op, "attribute_values needs a value set");
    } else if (c instanceof Constraint.InputRank ir) {
      require(ir.min() >= 0 && ir.max() >= ir.min(), file, op, "bad rank range");
    } else if (c instanceof Constraint.AttributeExcludes ae) {
      require(!ae.substrings().isEmpty(), file, op, "substrings empty");
    } else if (c instanceof Constraint.ForbiddenAttributes fa) {
      require(!fa.attributes().isEmpty(), file, op, "attributes empty");
    } else if (c instanceof Constraint.InputValueMax iv) {
      require(iv.max() > 0, file, op, "max must be positive");
    } else if (c instanceof Constraint.OptionalInput oi) {
      require(oi.input() >= 0 && oi.name() != null, file, op, "optional_input needs input and name");
    } else if (c instanceof Constraint.DeclaredEmptyInput de) {
      require(de.input() >= 0 && de.name() != null, file, op, "declared_empty_input needs input and name");
    } else if (c instanceof Constraint.NotStaticallyCheckable n) {
      require(n.check() != null, file, op, "check id missing");
    }
  }

  static void validateOrder(List<ReleaseRules> releases) {
    Set<String> earlier = new HashSet<>();
    for (ReleaseRules r : releases) {
      require(!r.isDerived() || earlier.contains(r.derivedFrom()), "tensorrt-" + r.release() + ".json",
          "derivedFrom must name an earlier release of the knowledge base");
      earlier.add(r.release());
    }
    for (int i = 1; i < releases.size(); i++) {
      int[] a = releases.get(i - 1).versionParts();
      int[] b = releases.get(i).versionParts();
      require(a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]), "releases.txt", "releases must be listed oldest first");
    }
  }

  private static void require(boolean ok, String file, OperatorRule op, String what) {
    if (!ok) {
      fail(where(file, op), what);
    }
  }

  private static void fail(String where, String what) {
    throw new IllegalStateException("knowledge base " + where + ": " + what);
  }

  private static void require(boolean ok, String where, String what) {
    if (!ok) {
      throw new IllegalStateException("knowledge base " + where + ": " + what);
    }
  }
}
