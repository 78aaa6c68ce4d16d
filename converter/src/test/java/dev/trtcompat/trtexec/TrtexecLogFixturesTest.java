package dev.trtcompat.trtexec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.trtexec.LogFixtures.Expected;
import dev.trtcompat.trtexec.TrtexecLog.LogWarning;
import dev.trtcompat.trtexec.TrtexecLog.Timing;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every fixture log in INDEX.tsv, one test per fact group, values exact; null where the log does not say. */
class TrtexecLogFixturesTest {

  static List<Expected> fixtures() {
    return LogFixtures.all();
  }

  @Test
  void everyIndexedLogHasExpectedFactsAndViceVersa() {
    assertThat(LogFixtures.indexedFiles())
        .hasSize(23)
        .containsExactlyInAnyOrderElementsOf(LogFixtures.all().stream().map(Expected::file).toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void version(Expected e) {
    assertThat(LogFixtures.parse(e.file()).tensorrtVersion()).isEqualTo(e.version());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void outcomeAndMode(Expected e) {
    TrtexecLog log = LogFixtures.parse(e.file());
    assertThat(log.outcome()).isEqualTo(e.outcome());
    assertThat(log.mode()).isEqualTo(e.mode());
    assertThat(log.recognised()).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void failingNode(Expected e) {
    TrtexecLog log = LogFixtures.parse(e.file());
    assertThat(log.failingNode()).isEqualTo(e.node());
    assertThat(log.failingNodes()).hasSize(e.node() == null ? 0 : 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void errors(Expected e) {
    List<String> errors = LogFixtures.parse(e.file()).errors();
    for (String fragment : e.errors()) {
      assertThat(errors).anySatisfy(line -> assertThat(line).contains(fragment));
    }
    if (e.outcome() == TrtexecLog.Outcome.SUCCESS) {
      assertThat(errors).isEmpty();
    }
    // Prefixes are gone: no stamps, no severity tags, no "[8] " assertion codes.
    assertThat(errors).noneMatch(line -> line.startsWith("[")).noneMatch(line -> line.contains("] [E]"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void warnings(Expected e) {
    List<LogWarning> warnings = LogFixtures.parse(e.file()).warnings();
    for (Map.Entry<String, String> want : e.warnings().entrySet()) {
      assertThat(warnings)
          .as("a %s warning containing '%s'", want.getKey(), want.getValue())
          .anySatisfy(w -> {
            assertThat(w.kind()).isEqualTo(want.getKey());
            assertThat(w.message()).contains(want.getValue());
          });
    }
    if (e.warnings().isEmpty()) {
      assertThat(warnings).isEmpty();
    }
    assertThat(warnings).doesNotHaveDuplicates();
  }

  /** The explicit-quantization line is read from the Q/DQ logs, as printed, and from no other log. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void explicitQuantizationLine(Expected e) {
    TrtexecLog log = LogFixtures.parse(e.file());
    String line = log.explicitQuantizationLine();
    String described = "Q/DQ        explicit quantization: the model's Q/DQ scales, not a calibrator";
    if (e.warnings().containsKey("explicit_quantization")) {
      assertThat(line).isEqualTo("Calibrator won't be used in explicit precision mode. Use quantization aware training"
          + " to generate network with Quantize/Dequantize nodes.");
      assertThat(LogExplainer.describe(log)).contains(described);
    } else {
      assertThat(line).isNull();
      assertThat(LogExplainer.describe(log)).doesNotContain(described);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void buildTime(Expected e) {
    assertThat(LogFixtures.parse(e.file()).buildTimeSeconds()).isEqualTo(e.buildTimeSeconds());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void engineSize(Expected e) {
    assertThat(LogFixtures.parse(e.file()).engineBytes()).isEqualTo(e.engineBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void throughput(Expected e) {
    assertThat(LogFixtures.parse(e.file()).throughputQps()).isEqualTo(e.throughputQps());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void latency(Expected e) {
    assertThat(LogFixtures.parse(e.file()).latencyMs()).isEqualTo(e.latency());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void gpuCompute(Expected e) {
    assertThat(LogFixtures.parse(e.file()).gpuComputeMs()).isEqualTo(e.gpuCompute());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void transfers(Expected e) {
    TrtexecLog log = LogFixtures.parse(e.file());
    assertThat(mean(log.h2dMs())).isEqualTo(e.h2dMean());
    assertThat(mean(log.d2hMs())).isEqualTo(e.d2hMean());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void device(Expected e) {
    TrtexecLog log = LogFixtures.parse(e.file());
    assertThat(log.gpu() == null ? null : log.gpu().name()).isEqualTo(e.gpuName());
    assertThat(log.gpu() == null ? null : log.gpu().computeCapability()).isEqualTo(e.computeCapability());
    assertThat(log.precision()).isEqualTo(e.precision());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void polygraphyComparison(Expected e) {
    TrtexecLog log = LogFixtures.parse(e.file());
    if (e.comparisonPassed() == null) {
      assertThat(log.comparison()).isNull();
      assertThat(log.tool()).isNotEqualTo("polygraphy");
      return;
    }
    assertThat(log.tool()).isEqualTo("polygraphy");
    assertThat(log.comparison().passed()).isEqualTo(e.comparisonPassed());
    assertThat(log.comparison().failedOutputs()).containsExactlyElementsOf(e.failedOutputs());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void jsonHasTheContractFieldsFirst(Expected e) throws Exception {
    String json = LogExplainer.toJson(LogFixtures.parse(e.file()));
    var node = dev.trtcompat.json.Json.mapper().readTree(json);
    List<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    assertThat(names.subList(0, 10))
        .containsExactly("tensorrtVersion", "outcome", "failingNode", "errors", "warnings", "buildTimeSeconds",
            "engineBytes", "throughputQps", "latencyMs", "gpuComputeMs");
    assertThat(node.get("outcome").asText()).isEqualTo(e.outcome().wire());
    if (e.node() != null) {
      assertThat(node.get("failingNode").get("index").asInt()).isEqualTo(e.node().index());
    } else {
      assertThat(node.get("failingNode").isNull()).isTrue();
    }
  }

  private static Double mean(Timing t) {
    return t == null ? null : t.mean();
  }
}
