package dev.trtcompat.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.onnx.proto.OnnxProtos.AttributeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.GraphProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model of Debian's libonnx-testdata (the ONNX project's backend tests, 1,072 models) is read, and what
 * the reader reports is compared with a full generic parse of the same file by protobuf-java.
 */
class LibonnxCorpusTest {

  static final Path CORPUS = Path.of("/usr/share/libonnx-testdata/data");

  /**
   * Test names that do not spell their operator: abbreviations, old names, variants. Keys are the leading
   * words of the test name (after {@code test_}); the longest matching key wins.
   */
  static final Map<String, String> IRREGULAR =
      Map.ofEntries(
          Map.entry("batchnorm", "BatchNormalization"),
          Map.entry("instancenorm", "InstanceNormalization"),
          Map.entry("mvn", "MeanVarianceNormalization"),
          Map.entry("sce", "SoftmaxCrossEntropyLoss"),
          Map.entry("nllloss", "NegativeLogLikelihoodLoss"),
          Map.entry("training_dropout", "Dropout"),
          Map.entry("strnormalizer", "StringNormalizer"),
          Map.entry("simple_rnn", "RNN"),
          Map.entry("tril", "Trilu"),
          Map.entry("triu", "Trilu"),
          Map.entry("less_equal", "LessOrEqual"),
          Map.entry("greater_equal", "GreaterOrEqual"),
          Map.entry("basic_conv", "Conv"),
          Map.entry("basic_convinteger", "ConvInteger"),
          Map.entry("constant_pad", "Pad"),
          Map.entry("edge_pad", "Pad"),
          Map.entry("reflect_pad", "Pad"),
          Map.entry("nesterov_momentum", "ai.onnx.preview.training:Momentum"));

  static Stream<Path> models() throws IOException {
    try (Stream<Path> s = Files.walk(CORPUS)) {
      return s.filter(p -> p.getFileName().toString().equals("model.onnx")).sorted().toList().stream();
    }
  }

  static Stream<Path> nodeTests() throws IOException {
    return models().filter(LibonnxCorpusTest::isNodeTestOfOneOp);
  }

  /** Node tests, except the "_expanded" ones, which hold the op's function body instead of the op itself. */
  static boolean isNodeTestOfOneOp(Path model) {
    return model.getParent().getParent().getFileName().toString().equals("node")
        && !model.getParent().getFileName().toString().contains("_expanded");
  }

  @Test
  void corpusIsComplete() throws IOException {
    assertThat(models().count()).isEqualTo(1072);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void readingMatchesAFullGenericParse(Path file) throws IOException {
    ModelProto full = ModelProto.parseFrom(Files.readAllBytes(file));
    OnnxModel model = OnnxModelReader.read(file);
    ModelSummary s = ModelSummary.of(model);

    GraphProto g = full.getGraph();
    assertThat(s.irVersion()).isEqualTo(full.getIrVersion());
    assertThat(s.producerName()).isEqualTo(full.getProducerName());
    assertThat(s.producerVersion()).isEqualTo(full.getProducerVersion());
    assertThat(s.nodeCount()).isEqualTo(g.getNodeCount());
    assertThat(model.graph().nodes()).isEqualTo(g.getNodeList());
    assertThat(s.initializerCount()).isEqualTo(g.getInitializerCount() + g.getSparseInitializerCount());
    Set<String> weights = new HashSet<>();
    g.getInitializerList().forEach(t -> weights.add(t.getName()));
    assertThat(s.inputs())
        .extracting(ModelSummary.ValueSummary::name)
        .containsExactlyElementsOf(
            g.getInputList().stream().map(ValueInfoProto::getName).filter(n -> !weights.contains(n)).toList());
    assertThat(s.outputs())
        .extracting(ModelSummary.ValueSummary::name)
        .containsExactlyElementsOf(g.getOutputList().stream().map(ValueInfoProto::getName).toList());
    Map<String, Long> opsets = new LinkedHashMap<>();
    full.getOpsetImportList()
        .forEach(o -> opsets.put(o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain(), o.getVersion()));
    assertThat(s.opsetImports()).isEqualTo(opsets);
    Map<String, Integer> ops = new HashMap<>();
    int[] subgraphs = {0};
    histogram(g, ops, subgraphs);
    assertThat(s.ops()).isEqualTo(ops);
    assertThat(s.subgraphCount()).isEqualTo(subgraphs[0]);
    long bytes = 0;
    for (TensorProto t : g.getInitializerList()) {
      bytes += t.hasRawData() ? t.getRawData().size() : model.graph().initializers().stream()
          .filter(i -> i.name().equals(t.getName())).findFirst().orElseThrow().payloadBytes();
    }
    if (g.getSparseInitializerCount() == 0 && g.getInitializerList().stream().allMatch(TensorProto::hasRawData)) {
      assertThat(s.initializerBytes()).isEqualTo(bytes);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nodeTests")
  void nodeTestContainsTheOpItIsNamedAfter(Path file) {
    String op = opOfTest(file.getParent().getFileName().toString());
    assertThat(op).as("op type for %s", file).isNotNull();
    assertThat(ModelSummary.of(OnnxModelReader.read(file)).ops()).containsKey(op);
  }

  @Test
  void nameMappingCoversEveryNodeTestAndUsesEveryIrregularEntry() throws IOException {
    Set<String> unmapped = new TreeSet<>();
    Set<String> usedIrregular = new HashSet<>();
    List<Path> tests = nodeTests().toList();
    for (Path p : tests) {
      String name = p.getParent().getFileName().toString();
      if (opOfTest(name) == null) {
        unmapped.add(name);
      }
      String key = irregularKey(words(name));
      if (key != null) {
        usedIrregular.add(key);
      }
    }
    assertThat(tests).hasSizeGreaterThan(500);
    assertThat(unmapped).isEmpty();
    assertThat(usedIrregular).containsExactlyInAnyOrderElementsOf(IRREGULAR.keySet());
  }

  /** The op a node test is named after: an irregular entry, else the longest run of leading words naming an op. */
  static String opOfTest(String testName) {
    String[] words = words(testName);
    String key = irregularKey(words);
    if (key != null) {
      return IRREGULAR.get(key);
    }
    Map<String, String> ops = OpTypes.BY_FOLDED_NAME;
    for (int k = words.length; k > 0; k--) {
      String joined = String.join("", List.of(words).subList(0, k)).toLowerCase(Locale.ROOT);
      String op = ops.get(joined);
      if (op == null) {
        // "and2d", "xor4d", "scan9", "loop11": a word with a rank or version glued on.
        op = ops.get(joined.replaceAll("\\d+d?$", ""));
      }
      if (op != null) {
        return op;
      }
    }
    return null;
  }

  private static String[] words(String testName) {
    return testName.substring("test_".length()).split("_");
  }

  private static String irregularKey(String[] words) {
    for (int k = words.length; k > 0; k--) {
      String key = String.join("_", List.of(words).subList(0, k));
      if (IRREGULAR.containsKey(key)) {
        return key;
      }
    }
    return null;
  }

  private static void histogram(GraphProto g, Map<String, Integer> ops, int[] subgraphs) {
    for (NodeProto n : g.getNodeList()) {
      String key = n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx") ? n.getOpType() : n.getDomain() + ":" + n.getOpType();
      ops.merge(key, 1, Integer::sum);
      for (AttributeProto a : n.getAttributeList()) {
        if (a.hasG()) {
          subgraphs[0]++;
          histogram(a.getG(), ops, subgraphs);
        }
        for (GraphProto sub : a.getGraphsList()) {
          subgraphs[0]++;
          histogram(sub, ops, subgraphs);
        }
      }
    }
  }

  /** ONNX's operator types (test resource onnx-op-types.txt), keyed by lower-case name without domain. */
  static final class OpTypes {
    static final Map<String, String> BY_FOLDED_NAME = load();

    private static Map<String, String> load() {
      try (InputStream in = LibonnxCorpusTest.class.getResourceAsStream("/onnx-op-types.txt")) {
        Map<String, String> m = new HashMap<>();
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank() && !line.startsWith("#")) {
            String bare = line.substring(line.lastIndexOf(':') + 1);
            m.put(bare.toLowerCase(Locale.ROOT), line.strip());
          }
        }
        return m;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
