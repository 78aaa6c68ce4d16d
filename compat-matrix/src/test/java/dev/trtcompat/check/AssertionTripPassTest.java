package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.rules.AssertionFact;
import dev.trtcompat.rules.Constraint;
import dev.trtcompat.rules.OperatorRule;
import dev.trtcompat.rules.ReleaseRules;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Table-driven from the knowledge base: for every release and every importer assertion classified as modelled,
 * a one-node model that trips it (the release's verdict is incompatible with the constraint's finding) and one
 * that passes it (no such finding). The cases come from the rule files, so a newly modelled assertion whose
 * operator or constraint kind has no sample here fails instead of going untested.
 */
class AssertionTripPassTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();
  static final int INT16 = 5;
  static final int INT8 = 3;
  static final int BOOL = 9;

  /** One input of a sample node: element type, dims, int64 or float values. */
  record In(String name, int type, long[] dims, long[] ints) {}

  /** The inputs a valid node of {@code op} takes at {@code opset}, with input 0 of rank {@code rank}. */
  static List<In> sample(String op, long opset, int rank) {
    long[] x = new long[rank];
    java.util.Arrays.fill(x, 2);
    x[rank - 1] = 8;
    List<In> in = new ArrayList<>();
    switch (op) {
      case "Pad" -> {
        in.add(new In("x", FLOAT, x, null));
        if (opset >= 11) {
          boolean axes = opset >= 18;
          in.add(new In("pads", INT64, new long[] {axes ? 2 : 2L * rank}, new long[axes ? 2 : 2 * rank]));
          in.add(new In("constant_value", FLOAT, new long[0], null));
          if (axes) {
            in.add(new In("axes", INT64, new long[] {1}, new long[] {rank - 1}));
          }
        }
      }
      case "Clip" -> {
        in.add(new In("x", FLOAT, x, null));
        if (opset >= 11) {
          in.add(new In("min", FLOAT, new long[0], null));
          in.add(new In("max", FLOAT, new long[0], null));
        }
      }
      case "TopK" -> {
        in.add(new In("x", FLOAT, new long[] {1, 10}, null));
        if (opset >= 10) {
          in.add(new In("K", INT64, new long[] {1}, new long[] {1}));
        }
      }
      case "Squeeze" -> {
        in.add(new In("x", FLOAT, new long[] {1, 3, 8}, null));
        if (opset >= 13) {
          in.add(new In("axes", INT64, new long[] {1}, new long[] {0}));
        }
      }
      case "Unsqueeze" -> {
        in.add(new In("x", FLOAT, new long[] {3, 8}, null));
        if (opset >= 13) {
          in.add(new In("axes", INT64, new long[] {1}, new long[] {0}));
        }
      }
      case "Split" -> {
        in.add(new In("x", FLOAT, new long[] {1, 4, 8}, null));
        if (opset >= 13) {
          in.add(new In("split", INT64, new long[] {2}, new long[] {2, 2}));
        }
      }
      case "Slice" -> {
        in.add(new In("x", FLOAT, x, null));
        if (opset >= 10) {
          in.add(new In("starts", INT64, new long[] {1}, new long[] {0}));
          in.add(new In("ends", INT64, new long[] {1}, new long[] {1}));
          in.add(new In("axes", INT64, new long[] {1}, new long[] {0}));
        }
      }
      case "ScatterND" -> {
        in.add(new In("data", FLOAT, new long[] {4, 4}, null));
        in.add(new In("indices", INT64, new long[] {1, 1}, new long[] {0}));
        in.add(new In("updates", FLOAT, new long[] {1, 4}, null));
      }
      case "NonZero" -> in.add(new In("x", FLOAT, new long[] {2, 3}, null));
      case "Conv", "ConvTranspose" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("W", FLOAT, new long[] {2, 2, 3, 3}, null));
        in.add(new In("B", FLOAT, new long[] {2}, null));
      }
      case "MaxPool" -> in.add(new In("x", FLOAT, x, null));
      case "BatchNormalization" -> {
        in.add(new In("x", FLOAT, x, null));
        for (String p : new String[] {"scale", "B", "mean", "var"}) {
          in.add(new In(p, FLOAT, new long[] {2}, null));
        }
      }
      case "Resize" -> {
        in.add(new In("x", FLOAT, x, null));
        if (opset >= 11) {
          in.add(new In("roi", FLOAT, new long[] {0}, null));
        }
        in.add(new In("scales", FLOAT, new long[] {rank}, null));
      }
      case "NonMaxSuppression" -> {
        in.add(new In("boxes", FLOAT, new long[] {1, 10, 4}, null));
        in.add(new In("scores", FLOAT, new long[] {1, 1, 10}, null));
        in.add(new In("max_output_boxes_per_class", INT64, new long[] {1}, new long[] {10}));
        in.add(new In("iou_threshold", FLOAT, new long[] {1}, null));
        in.add(new In("score_threshold", FLOAT, new long[] {1}, null));
      }
      case "If" -> in.add(new In("cond", BOOL, new long[] {1}, new long[] {1}));
      case "InstanceNormalization" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("scale", FLOAT, new long[] {2}, null));
        in.add(new In("B", FLOAT, new long[] {2}, null));
      }
      case "CumSum" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("axis", INT64, new long[0], new long[] {1}));
      }
      case "OneHot" -> {
        in.add(new In("indices", INT64, new long[] {3}, null));
        in.add(new In("depth", INT64, new long[0], new long[] {4}));
        in.add(new In("values", FLOAT, new long[] {2}, null));
      }
      case "Dropout" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("ratio", FLOAT, new long[0], null));
        in.add(new In("training_mode", BOOL, new long[0], new long[] {0}));
      }
      case "Constant" -> { }
      case "Upsample" -> {
        in.add(new In("x", FLOAT, x, null));
        if (opset >= 9) {
          in.add(new In("scales", FLOAT, new long[] {rank}, null));
        }
      }
      case "LSTM" -> {
        in.add(new In("x", FLOAT, new long[] {2, 1, 4}, null));
        in.add(new In("W", FLOAT, new long[] {1, 16, 4}, null));
        in.add(new In("R", FLOAT, new long[] {1, 16, 4}, null));
      }
      case "QuantizeLinear" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("y_scale", FLOAT, new long[0], null));
        in.add(new In("y_zero_point", INT8, new long[0], new long[] {0}));
      }
      case "DequantizeLinear" -> {
        in.add(new In("x", INT8, x, null));
        in.add(new In("x_scale", FLOAT, new long[0], null));
        in.add(new In("x_zero_point", INT8, new long[0], new long[] {0}));
      }
      case "LpNormalization", "LpPool", "AveragePool" -> in.add(new In("x", FLOAT, x, null));
      case "EyeLike" -> in.add(new In("x", FLOAT, new long[] {2, 8}, null));
      case "ReverseSequence" -> {
        in.add(new In("x", FLOAT, new long[] {2, 8}, null));
        in.add(new In("sequence_lens", INT64, new long[] {8}, new long[] {1, 1, 1, 1, 1, 1, 1, 1}));
      }
      case "ReduceL1", "ReduceMax", "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSum", "ReduceSumSquare" -> {
        in.add(new In("x", FLOAT, x, null));
        if (opset >= (op.equals("ReduceSum") ? 13 : 18)) {
          in.add(new In("axes", INT64, new long[] {1}, new long[] {1}));
        }
      }
      case "STFT" -> {
        in.add(new In("x", FLOAT, new long[] {1, 64, 1}, null));
        in.add(new In("frame_step", INT64, new long[0], new long[] {4}));
        in.add(new In("window", FLOAT, new long[] {8}, null));
        in.add(new In("frame_length", INT64, new long[0], new long[] {8}));
      }
      case "DeformConv" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("W", FLOAT, new long[] {2, 2, 3, 3}, null));
        in.add(new In("offset", FLOAT, new long[] {2, 18, 2, 8}, null));
      }
      case "BlackmanWindow", "HammingWindow", "HannWindow" ->
          in.add(new In("size", INT64, new long[0], new long[] {8}));
      case "Scan" -> {
        in.add(new In("sequence_lens", INT64, new long[] {2}, new long[] {8, 8}));
        in.add(new In("x", FLOAT, new long[] {2, 8}, null));
      }
      case "GroupNormalization" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("scale", FLOAT, new long[] {1}, null));
        in.add(new In("bias", FLOAT, new long[] {1}, null));
      }
      case "LayerNormalization" -> {
        in.add(new In("x", FLOAT, x, null));
        in.add(new In("scale", FLOAT, new long[] {8}, null));
        in.add(new In("B", FLOAT, new long[] {8}, null));
      }
      default -> throw new AssertionError("no sample node for " + op + ": add one to AssertionTripPassTest.sample");
    }
    return in;
  }

  /** Non-input attributes a valid node needs at {@code opset}. */
  static List<AttributeProto> baseAttributes(String op, long opset) {
    return switch (op) {
      case "TopK" -> opset < 10 ? List.of(attr("k", 1L)) : List.of();
      case "Split" -> List.of(attr("axis", 1L));
      case "MaxPool", "AveragePool", "LpPool" -> List.of(ints("kernel_shape", 2, 2));
      case "GroupNormalization" -> List.of(attr("num_groups", 1L));
      case "Scan" -> List.of(attr("num_scan_inputs", 1L), attr("body", scanBody()));
      case "LSTM" -> List.of(attr("hidden_size", 4L));
      case "Constant" -> List.of(attr("value", floats("c", FLOAT, 2)));
      case "If" -> List.of(attr("then_branch", branch("then")), attr("else_branch", branch("else")));
      case "Slice" -> opset < 10
          ? List.of(ints("starts", 0), ints("ends", 1), ints("axes", 0)) : List.of();
      default -> List.of();
    };
  }

  static int outputs(String op, Constraint c, boolean trip) {
    if (c instanceof Constraint.UnsupportedOutput uo) {
      return trip ? uo.output() + 1 : uo.output();
    }
    return op.equals("Split") || op.equals("TopK") ? 2 : 1;
  }

  /** The lowest opset at which the sample node has the shape the constraint ({@code null}: type list) is about. */
  static long opsetFor(String op, Constraint c) {
    long base = switch (op) {
      case "Pad", "Clip" -> 11;
      case "ScatterND" -> 16;
      case "QuantizeLinear", "DequantizeLinear" -> 10;
      case "CumSum", "OneHot", "InstanceNormalization" -> 11;
      case "Upsample" -> 9;
      case "BatchNormalization" -> 15;
      case "STFT", "BlackmanWindow", "HammingWindow", "HannWindow", "LayerNormalization" -> 17;
      case "GroupNormalization" -> 18;
      case "DeformConv" -> 19;
      default -> 13;
    };
    Integer since = c instanceof Constraint.ConstantInput ci ? ci.sinceOpset()
        : c instanceof Constraint.AttributeValues av ? av.sinceOpset()
        : c instanceof Constraint.OptionalInput oi ? oi.sinceOpset() : null;
    Integer until = c instanceof Constraint.ConstantInput ci ? ci.untilOpset()
        : c instanceof Constraint.AttributeValues av ? av.untilOpset()
        : c instanceof Constraint.OptionalInput oi ? oi.untilOpset() : null;
    long opset = since != null ? since : base;
    return until != null ? Math.min(opset, until) : opset;
  }

  /**
   * Builds the one-node model; {@code trip} breaks constraint {@code c} (or, with {@code c == null}, the
   * importer's type list), otherwise it is met.
   */
  static OnnxModel build(String op, Constraint c, boolean trip) {
    long opset = opsetFor(op, c);
    int rank = 4;
    if (c instanceof Constraint.InputRank r) {
      rank = trip ? Math.max(1, r.min() - 1) : r.min();
    }
    GraphProto.Builder g = GraphProto.newBuilder();
    List<String> names = new ArrayList<>();
    for (In i : sample(op, opset, rank)) {
      boolean runtime = List.of("x", "data", "updates", "boxes", "scores", "indices").contains(i.name())
          || (trip && c instanceof Constraint.ConstantInput ci && ci.name().equals(i.name()));
      int type = i.type();
      if (c == null && i.name().equals("x") && trip) {
        type = INT16;
      }
      if (c instanceof Constraint.OptionalInput oi && oi.name().equals(i.name()) && trip == oi.present()) {
        names.add(""); // the optional input left out: an empty name keeps the later inputs in place
        continue;
      }
      names.add(i.name());
      long[] values = i.ints();
      if (trip && c instanceof Constraint.InputAllZero z && z.name().equals(i.name())) {
        values = new long[] {1}; // a non-zero zero point
      }
      if (runtime) {
        Object[] dims = java.util.Arrays.stream(i.dims()).boxed().toArray();
        if (trip && c instanceof Constraint.StaticInputShape st && names.size() - 1 == st.input()) {
          dims[0] = "N"; // a symbolic (dynamic) first dimension
        }
        g.addInput(tensor(i.name(), type, dims));
      } else {
        g.addInitializer(values != null ? ints(i.name(), type, i.dims(), values) : floats(i.name(), type, i.dims()));
      }
    }
    if (op.equals("If")) {
      g.addInput(tensor("x", FLOAT, 2L, 8L));
    }
    List<AttributeProto> attrs = new ArrayList<>(baseAttributes(op, opset));
    if (c instanceof Constraint.AttributeAllOnes a && trip) {
      attrs.add(ints(a.attribute(), 2, 2));
    }
    if (c instanceof Constraint.ForbiddenAttributes && trip) {
      attrs.clear();
      attrs.add(attr("value_string", "forbidden"));
    }
    if (c instanceof Constraint.AttributeValues av) {
      av.when().forEach((k, v) -> attrs.add(attr(k, v)));
      attrs.removeIf(a -> a.getName().equals(av.attribute()));
      attrs.add(valueAttr(av.attribute(), trip ? notAllowed(av.allowed()) : av.allowed().get(0)));
    }
    String[] outs = new String[outputs(op, c, trip)];
    for (int k = 0; k < outs.length; k++) {
      outs[k] = "y" + k;
      boolean int64 = op.equals("NonZero") || op.equals("NonMaxSuppression") || (k == 1 && !op.equals("Split"));
      g.addOutput(tensor(outs[k], op.equals("QuantizeLinear") ? INT8 : int64 ? INT64 : FLOAT));
    }
    g.addNode(node(op, "n", names.toArray(String[]::new), outs, attrs.toArray(AttributeProto[]::new)));
    return read(model(opset, g).build());
  }

  /** The body of the sample Scan: one scan input element passed through as one scan output element. */
  static GraphProto scanBody() {
    return GraphProto.newBuilder().setName("body").addInput(tensor("xi", FLOAT, 8L))
        .addOutput(tensor("yi", FLOAT, 8L)).addNode(node("Identity", "body_id", in("xi"), in("yi"))).build();
  }

  /** A branch of the sample If: passes the outer graph input {@code x} on under its own output name. */
  static GraphProto branch(String name) {
    return GraphProto.newBuilder().setName(name).addOutput(tensor(name + "_out", FLOAT, 2L, 8L))
        .addNode(node("Identity", name + "_id", in("x"), in(name + "_out"))).build();
  }

  /** An integer initializer of element type {@code type} (INT64, INT8 or BOOL). */
  static TensorProto ints(String name, int type, long[] dims, long[] values) {
    int width = type == INT64 ? 8 : 1;
    ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      if (width == 8) {
        b.putLong(v);
      } else {
        b.put((byte) v);
      }
    }
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type);
    for (long d : dims) {
      t.addDims(d);
    }
    return t.setRawData(ByteString.copyFrom(b.array())).build();
  }

  static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  static AttributeProto valueAttr(String name, String value) {
    return value.matches("-?\\d+") ? attr(name, Long.parseLong(value)) : attr(name, value);
  }

  static String notAllowed(List<String> allowed) {
    if (allowed.stream().allMatch(v -> v.matches("-?\\d+"))) {
      for (long v = 0; ; v++) {
        if (!allowed.contains(Long.toString(v))) {
          return Long.toString(v);
        }
      }
    }
    return "not_" + allowed.get(0);
  }

  /** The finding rule a tripped constraint produces ({@code null}: the importer's type list). */
  static String findingRule(Constraint c) {
    return c == null ? "op.type_unsupported" : c.id();
  }

  /** The constraint ids a rule's modelled assertions map to, with the assertion ids behind each. */
  static Map<String, List<String>> modelled(OperatorRule rule) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (AssertionFact a : rule.assertions()) {
      if (a.assertionClass() == AssertionFact.Kind.MODELLED) {
        // an alternative (a|b) names constraints of several operators (a helper shared by Q and DQ): test this one's
        for (String id : a.constraintIds().stream().filter(id -> has(rule, id)).toList()) {
          out.computeIfAbsent(id, k -> new ArrayList<>()).add(a.id() + "@" + a.at());
        }
      }
    }
    return out;
  }

  static boolean has(OperatorRule rule, String id) {
    return id.equals("types") ? rule.typesFromCode() : rule.constraints().stream().anyMatch(c -> c.id().equals(id));
  }

  @TestFactory
  Stream<DynamicTest> everyModelledAssertionTripsAndPassesOnEveryRelease() {
    List<DynamicTest> tests = new ArrayList<>();
    TreeSet<String> covered = new TreeSet<>();
    for (ReleaseRules rel : CHECKER.knowledgeBase().releases()) {
      for (OperatorRule rule : rel.operators()) {
        modelled(rule).forEach((id, assertions) -> {
          covered.add(rule.op() + "/" + id);
          tests.add(DynamicTest.dynamicTest(rel.release() + " " + rule.op() + " " + id + " " + assertions,
              () -> tripAndPass(rel.release(), rule, id)));
        });
      }
    }
    assertThat(tests).as("modelled assertions in the knowledge base").hasSizeGreaterThan(50);
    System.out.println("trip/pass cases: " + tests.size() + " over " + covered);
    return tests.stream();
  }

  /**
   * Static checkers that reject an operator outright (9.1+: registered for operators without an importer): the
   * knowledge base must call a node of that operator unsupported on every release where the checker exists.
   * There is no passing model for these.
   */
  @TestFactory
  Stream<DynamicTest> everyOperatorRejectingCheckerMakesTheNodeUnsupported() throws java.io.IOException {
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode classes =
        json.readTree(getClass().getResourceAsStream("/dev/trtcompat/rules/assertions/classes.json")).get("classes");
    List<DynamicTest> tests = new ArrayList<>();
    for (ReleaseRules rel : CHECKER.knowledgeBase().releases()) {
      if (!rel.read().contains("code")) {
        continue; // table-only and derived releases: no importer code read, so no manifest of its checkers
      }
      var in = getClass().getResourceAsStream("/dev/trtcompat/rules/assertions/tensorrt-" + rel.release() + ".json");
      for (var a : json.readTree(in).get("assertions")) {
        var c = classes.get(a.get("id").asText());
        if (c != null && "op.unsupported".equals(c.path("constraint").asText())) {
          String op = a.get("context").asText().split(":", 2)[1];
          tests.add(DynamicTest.dynamicTest(rel.release() + " " + op + " " + a.get("id").asText(), () -> {
            GraphProto.Builder g = GraphProto.newBuilder().addInput(tensor("x", FLOAT, 2L, 3L))
                .addOutput(tensor("y", FLOAT)).addNode(node(op, "n", in("x"), in("y")));
            ReleaseResult r = CHECKER.check(read(model(13, g).build()), List.of(rel.release())).results().get(0);
            assertThat(r.verdict()).isEqualTo(Verdict.INCOMPATIBLE);
            assertThat(r.findings()).anySatisfy(f -> assertThat(f.rule()).isEqualTo("op.unsupported"));
          }));
        }
      }
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }

  static void tripAndPass(String release, OperatorRule rule, String id) {
    Constraint c = null;
    if (!id.equals("types")) {
      c = rule.constraints().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
      assertThat(c).as(rule.op() + " has constraint " + id).isNotNull();
    } else {
      assertThat(rule.typesFromCode()).as(rule.op() + " type list read from the importer").isTrue();
    }
    String expected = findingRule(c);
    ReleaseResult tripped = CHECKER.check(build(rule.op(), c, true), List.of(release)).results().get(0);
    if (c instanceof Constraint.InputAllZero z && z.ignored()) {
      // 9.0/9.2: the helper's all-zero assert sits under 'kINT8 && isDQ', so a QuantizeLinear never reaches it;
      // the constant zero point is dropped, which the checker reports as a warning, not a parse error
      assertThat(tripped.findings()).as("trip findings").anySatisfy(f -> {
        assertThat(f.rule()).isEqualTo(expected);
        assertThat(f.severity()).isEqualTo(Severity.WARNING);
      });
      return;
    }
    assertThat(tripped.verdict()).as("trip verdict " + tripped.findings()).isEqualTo(Verdict.INCOMPATIBLE);
    assertThat(tripped.findings()).as("trip findings").anySatisfy(f -> {
      assertThat(f.rule()).isEqualTo(expected);
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.node()).isEqualTo("n");
    });
    ReleaseResult passed = CHECKER.check(build(rule.op(), c, false), List.of(release)).results().get(0);
    assertThat(passed.findings()).as("pass findings").noneMatch(f -> f.rule().equals(expected));
  }
}
