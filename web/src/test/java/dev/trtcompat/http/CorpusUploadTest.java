package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Real models from Debian's libonnx-testdata, uploaded over HTTP to one running server. */
class CorpusUploadTest {

  static final Path CORPUS = Path.of("/usr/share/libonnx-testdata/data");

  @TempDir static Path data;
  static TestServer server;

  @BeforeAll
  static void start() throws IOException {
    server = new TestServer(data);
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
  }

  /** Every 20th model of each corpus folder: all four kinds, a few dozen models, a few seconds. */
  static Stream<Path> corpusSample() throws IOException {
    assertThat(CORPUS).as("libonnx-testdata is installed (scripts/test-all.sh installs it)").isDirectory();
    List<Path> sample = new ArrayList<>();
    for (String kind : List.of("node", "pytorch-converted", "pytorch-operator", "simple")) {
      try (Stream<Path> tests = Files.list(CORPUS.resolve(kind))) {
        List<Path> models = tests.sorted().map(t -> t.resolve("model.onnx")).filter(Files::isRegularFile).toList();
        for (int i = 0; i < models.size(); i += 20) {
          sample.add(models.get(i));
        }
      }
    }
    return sample.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpusSample")
  void uploadsACorpusModelAndReturnsItsSummary(Path model) throws Exception {
    byte[] bytes = Files.readAllBytes(model);
    String test = model.getParent().getFileName().toString();

    HttpResponse<String> r = server.uploadModel(test + ".onnx", bytes);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    JsonNode body = TestServer.json(r);
    String sha = ModelApiTest.sha256(bytes);
    assertThat(body.get("id").asText()).isEqualTo(sha);
    assertThat(body.get("sha256").asText()).isEqualTo(sha);
    assertThat(body.get("fileName").asText()).isEqualTo(test + ".onnx");
    assertThat(body.get("bytes").asLong()).isEqualTo(bytes.length);
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/models/" + sha);
    // The summary is exactly what the reader says about the file on disk...
    JsonNode expected = Json.mapper().readTree(Json.mapper().writeValueAsString(ModelSummary.of(OnnxModelReader.read(model))));
    assertThat(body.get("summary")).isEqualTo(expected);
    // ...and agrees with protobuf's own generic parse on the main facts.
    ModelProto proto = ModelProto.parseFrom(bytes);
    assertThat(body.at("/summary/nodeCount").asInt()).isEqualTo(proto.getGraph().getNodeCount());
    assertThat(body.at("/summary/irVersion").asLong()).isEqualTo(proto.getIrVersion());
    assertThat(body.at("/summary/outputs").size()).isEqualTo(proto.getGraph().getOutputCount());
    if (proto.getGraph().getNodeCount() > 0) {
      assertThat(body.at("/summary/ops").has(ModelSummary.opKey(proto.getGraph().getNode(0)))).isTrue();
    }

    HttpResponse<String> again = server.get("/api/v1/models/" + sha);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(again)).isEqualTo(body);
    assertThat(server.tmpEntries()).isZero();
  }

}
