package dev.trtcompat.check;

import static dev.trtcompat.check.TestModels.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.OperatorSetIdProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Public trtexec logs with a known failing node (copied from shared/fixtures/trtexec-logs with their INDEX rows):
 * a model reproducing that node gets the same verdict from the rule of that op and release, and where the log
 * prints the importer's assertion message, that message is an assertion of the release's manifest classified
 * as modelled by the constraint that reports it.
 *
 * <p>Not used: the 6.0 logs (no 6.x release in the knowledge base), the build-time failure of
 * trt7.x-jetson-dynamic-shape (not a parse failure) and the Polygraphy accuracy comparisons (not parse failures).
 */
class TrtexecLogVerdictTest {

  static final CompatibilityChecker CHECKER = CompatibilityChecker.bundled();
  static final Path LOGS = Path.of("src/test/resources/trtexec-logs");
  static final Pattern NODE = Pattern.compile("While parsing node number (\\d+) \\[(\\w+)");
  static final Pattern MESSAGE = Pattern.compile("Assertion failed: .*?&& \"(.*)\"");
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One log: the releases it stands for (the log's version, or every release of the knowledge base it can be),
   * the node rebuilt from the log's node dump, and the finding rule and verdict expected.
   */
  record Case(String log, List<String> releases, String op, OnnxModel model, String rule, Verdict verdict) {
    @Override
    public String toString() {
      return log;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        // TRT 7.0: Resize-11 whose scales are computed at run time; the log prints the importer assertion
        new Case("trt7.0-resize-scales-not-initializer.log", List.of("7.0"), "Resize", resize(11, true),
            "constant_input.scales", Verdict.INCOMPATIBLE),
        // TRT 7.1 (container 20.03): the node dump shows Resize with two inputs (opset 10 form), mode nearest,
        // scales from a Concat of run-time values
        new Case("trt7.1-resize-nearest-verbose-parse-failure.log", List.of("7.1"), "Resize", resize(10, true),
            "constant_input.scales", Verdict.INCOMPATIBLE),
        // TRT 8.x before 8.5: no NonZero importer, the plugin fallback finds no plugin
        new Case("trt8.x-nonzero-unsupported-plugin-not-found.log", List.of("8.0", "8.2", "8.4"), "NonZero",
            nonZero(), "op.unsupported", Verdict.INCOMPATIBLE),
        // TRT 10.x: custom op mmdeploy::grid_sampler; the --plugins library lacks it. Without the plugin
        // library the tool cannot know: unknown, never compatible
        new Case("trt10.x-grid_sampler-plugin-not-found-parse-failure.log", List.of("10.0", "10.1"), "grid_sampler",
            gridSampler(), "domain.plugin_required.unknown", Verdict.UNKNOWN));
  }

  static OnnxModel resize(long opset, boolean runtimeScales) {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("x", FLOAT, "batch", 256L, 19L, 19L))
        .addInput(tensor("s_head", FLOAT, 2L)).addInput(tensor("s_tail", FLOAT, 2L))
        .addOutput(tensor("y", FLOAT))
        .addNode(node("Concat", "Concat__365", in("s_head", "s_tail"), in("scales"), attr("axis", 0L)));
    String[] inputs = opset >= 11 ? in("x", "roi", "scales") : in("x", "scales");
    if (opset >= 11) {
      g.addInitializer(floats("roi", FLOAT, 0));
    }
    g.addNode(node("Resize", "Resize__366", inputs, in("y"), attr("mode", "nearest")));
    return read(model(opset, g).build());
  }

  static OnnxModel nonZero() {
    GraphProto.Builder g = GraphProto.newBuilder().addInput(tensor("onnx::NonZero_629", FLOAT, 1L, 100L))
        .addOutput(tensor("onnx::Transpose_634", INT64, 2L, "n"))
        .addNode(node("NonZero", "NonZero_559", in("onnx::NonZero_629"), in("onnx::Transpose_634")));
    return read(model(13, g).build());
  }

  static OnnxModel gridSampler() {
    GraphProto.Builder g = GraphProto.newBuilder()
        .addInput(tensor("value_l_", FLOAT, 8L, 32L, 16L, 16L)).addInput(tensor("sampling_grid_l_", FLOAT, 8L, 100L, 4L, 2L))
        .addOutput(tensor("onnx::Unsqueeze_10031", FLOAT))
        .addNode(node("grid_sampler", "grid_sampler_8539", in("value_l_", "sampling_grid_l_"),
            in("onnx::Unsqueeze_10031"), attr("align_corners", 0L), attr("interpolation_mode", 0L),
            attr("padding_mode", 0L)).toBuilder().setDomain("mmdeploy").build());
    ModelProto.Builder m = model(17, g).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("mmdeploy").setVersion(1));
    return read(m.build());
  }

  @ParameterizedTest
  @MethodSource("cases")
  void ruleGivesTheLoggedVerdictForTheFailingNode(Case c) throws IOException {
    String log = Files.readString(LOGS.resolve(c.log()));
    Matcher node = NODE.matcher(log);
    assertThat(node.find()).as("log names the failing node").isTrue();
    assertThat(node.group(2)).isEqualTo(c.op());
    assertThat(Files.readString(LOGS.resolve("INDEX.tsv"))).contains(c.log());
    for (String release : c.releases()) {
      ReleaseResult r = CHECKER.check(c.model(), List.of(release)).results().get(0);
      assertThat(r.verdict()).as(release + " " + r.findings()).isEqualTo(c.verdict());
      assertThat(r.findings()).as(release).anySatisfy(f -> {
        assertThat(f.rule()).isEqualTo(c.rule());
        assertThat(f.op()).endsWith(c.op());
      });
      Matcher msg = MESSAGE.matcher(log);
      if (msg.find()) {
        JsonNode assertion = assertionWithMessage(release, msg.group(1));
        assertThat(assertion).as("'" + msg.group(1) + "' in the " + release + " manifest").isNotNull();
        JsonNode cls = JSON.readTree(getClass().getResourceAsStream("/dev/trtcompat/rules/assertions/classes.json"))
            .get("classes").get(assertion.get("id").asText());
        assertThat(cls.get("class").asText()).isEqualTo("modelled");
        assertThat(List.of(cls.get("constraint").asText().split("\\|"))).contains(c.rule());
      }
    }
  }

  static JsonNode assertionWithMessage(String release, String message) throws IOException {
    JsonNode m = JSON.readTree(TrtexecLogVerdictTest.class.getResourceAsStream(
        "/dev/trtcompat/rules/assertions/tensorrt-" + release + ".json"));
    for (JsonNode a : m.get("assertions")) {
      if (a.get("message").asText().equals(message)) {
        return a;
      }
    }
    return null;
  }
}
