package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of bad upload gets a clear JSON error with the right status, leaves no file behind, and the
 * one server used for all of them keeps answering.
 */
class BadUploadTest {

  static final long LIMIT = 256 * 1024;

  @TempDir static Path data;
  static TestServer server;

  @BeforeAll
  static void start() throws IOException {
    server = new TestServer(data, LIMIT);
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
  }

  @AfterEach
  void nothingLeftBehindAndStillServing() throws Exception {
    assertThat(server.tmpEntries()).as("files left in the data folder's tmp/").isZero();
    assertThat(server.storedModels()).as("bad uploads are not stored").isZero();
    assertThat(server.get("/api/v1/health").statusCode()).isEqualTo(200);
  }

  static Stream<Arguments> badModels() throws IOException {
    byte[] real = Files.readAllBytes(Path.of("/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx"));
    byte[] random = new byte[4096];
    new Random(42).nextBytes(random);
    return Stream.of(
        Arguments.of("empty file", new Multipart().file("model", "empty.onnx", new byte[0]), "invalid_model"),
        Arguments.of("random bytes", new Multipart().file("model", "random.onnx", random), "invalid_model"),
        Arguments.of("truncated model", new Multipart().file("model", "cut.onnx", Arrays.copyOf(real, real.length / 2)), "invalid_model"),
        Arguments.of("protobuf that is not a model", new Multipart().file("model", "tensor.pb", TestModels.tensorNotModel()), "invalid_model"),
        Arguments.of("length prefix beyond the file", new Multipart().file("model", "len.onnx", TestModels.lengthBeyondFile()), "invalid_model"),
        Arguments.of("deeply nested subgraphs", new Multipart().file("model", "deep.onnx", TestModels.nestedIf(150)), "invalid_model"),
        Arguments.of("unknown element type", new Multipart().file("model", "type.onnx", TestModels.unknownElementType()), "invalid_model"),
        Arguments.of("external data escaping the folder",
            new Multipart().file("model", "esc.onnx", TestModels.withExternalWeights("../../../etc/passwd", 4)), "unsafe_external_data_path"),
        Arguments.of("external data at an absolute path",
            new Multipart().file("model", "abs.onnx", TestModels.withExternalWeights("/etc/passwd", 4)), "unsafe_external_data_path"),
        Arguments.of("external data not uploaded",
            new Multipart().file("model", "miss.onnx", TestModels.withExternalWeights("weights.bin", 4)), "invalid_model"),
        Arguments.of("external data shorter than declared",
            new Multipart().file("model", "short.onnx", TestModels.withExternalWeights("weights.bin", 400)).file("external", "weights.bin", new byte[16]),
            "invalid_model"),
        Arguments.of("external file the model does not use",
            new Multipart().file("model", "m.onnx", TestModels.single("Relu").build().toByteArray()).file("external", "extra.bin", new byte[8]),
            "invalid_model"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badModels")
  void aBadModelIs422WithAClearError(String what, Multipart body, String error) throws Exception {
    HttpResponse<String> r = server.upload(body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
    assertCleanError(r, error);
  }

  static Stream<Arguments> badRequests() {
    byte[] good = TestModels.single("Relu").build().toByteArray();
    return Stream.of(
        Arguments.of("no model field", new Multipart().file("external", "w.bin", new byte[4]), "missing_model"),
        Arguments.of("model sent as a text field", new Multipart().text("model", "hello"), "not_a_file"),
        Arguments.of("unknown field", new Multipart().file("model", "m.onnx", good).file("other", "x", new byte[1]), "unknown_field"),
        Arguments.of("two models", new Multipart().file("model", "a.onnx", good).file("model", "b.onnx", good), "duplicate_model"),
        Arguments.of("external name with a slash",
            new Multipart().file("model", "m.onnx", good).file("external", "sub/w.bin", new byte[4]), "invalid_file_name"),
        Arguments.of("external name with a backslash",
            new Multipart().file("model", "m.onnx", good).file("external", "..\\w.bin", new byte[4]), "invalid_file_name"),
        Arguments.of("external name '..'",
            new Multipart().file("model", "m.onnx", good).file("external", "..", new byte[4]), "invalid_file_name"),
        Arguments.of("external file sent twice",
            new Multipart().file("model", "m.onnx", good).file("external", "w.bin", new byte[4]).file("external", "w.bin", new byte[4]),
            "duplicate_external_file"),
        Arguments.of("empty multipart body", new Multipart(), "missing_model"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void aMalformedRequestIs400(String what, Multipart body, String error) throws Exception {
    HttpResponse<String> r = server.upload(body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertCleanError(r, error);
  }

  @Test
  void aBodyThatIsNotMultipartIs400() throws Exception {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models"))
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(TestModels.single("Relu").build().toByteArray()))
        .build());

    assertThat(r.statusCode()).isEqualTo(400);
    assertCleanError(r, "not_multipart");
  }

  @Test
  void aBrokenMultipartBodyIs400() throws Exception {
    Multipart body = new Multipart().file("model", "m.onnx", TestModels.single("Relu").build().toByteArray());
    byte[] cut = body.bytes();
    cut = Arrays.copyOf(cut, cut.length - 20); // the closing boundary is cut off
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models"))
        .header("Content-Type", body.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(cut))
        .build());

    assertThat(r.statusCode()).isEqualTo(400);
    assertCleanError(r, "malformed_multipart");
  }

  @Test
  void aBodyCutInsideAnExternalFileIs400AndKeepsNeitherFile() throws Exception {
    byte[] weights = new byte[64 << 10]; // under this server's 256 KiB limit
    new java.util.Random(7).nextBytes(weights);
    Multipart body = new Multipart()
        .file("model", "m.onnx", TestModels.withExternalWeights("weights.bin", weights.length / 4))
        .file("external", "weights.bin", weights);
    byte[] whole = body.bytes();
    byte[] cut = Arrays.copyOf(whole, whole.length - weights.length / 2); // the model whole, half the weights
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models"))
        .header("Content-Type", body.contentType())
        .POST(HttpRequest.BodyPublishers.ofByteArray(cut))
        .build());

    assertThat(r.statusCode()).isEqualTo(400);
    assertCleanError(r, "malformed_multipart");
    assertThat(server.tmpEntries()).isZero();
    assertThat(server.storedModels()).isZero();
  }

  @Test
  void anUploadOverTheLimitIs413BeforeReadingTheBody() throws Exception {
    HttpResponse<String> r = server.uploadModel("big.onnx", TestModels.withInlineWeights(1 << 20));

    assertThat(r.statusCode()).isEqualTo(413);
    assertCleanError(r, "upload_too_large");
    assertThat(TestServer.json(r).get("detail").asText()).contains("256 KiB");
  }

  @Test
  void aClientAskingExpect100ContinueIsRefusedBeforeSendingTheBody() throws Exception {
    // A raw socket: the JDK client waits forever on a final answer to Expect (JDK-8286171, fixed in 20).
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.server().port())) {
      s.setSoTimeout(10_000);
      String head = "POST /api/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1073741824\r\n"
          + "Expect: 100-continue\r\nConnection: close\r\n\r\n";
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      assertThat(answer).startsWith("HTTP/1.1 413 ").doesNotContain("100 Continue").contains("\"upload_too_large\"");
    }
  }

  @Test
  void anUploadOverTheLimitWithoutContentLengthIsCutOffWhileStreaming() throws Exception {
    Multipart body = new Multipart().file("model", "big.onnx", TestModels.withInlineWeights(1 << 20));
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models"))
        .header("Content-Type", body.contentType())
        .POST(body.chunkedPublisher())
        .build());

    assertThat(r.statusCode()).isEqualTo(413);
    assertCleanError(r, "upload_too_large");
  }

  @Test
  void externalFilesCountTowardsTheLimit() throws Exception {
    Multipart body = new Multipart()
        .file("model", "m.onnx", TestModels.withExternalWeights("a.bin", 4))
        .file("external", "a.bin", new byte[200 * 1024])
        .file("external", "b.bin", new byte[200 * 1024]);
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models"))
        .header("Content-Type", body.contentType())
        .POST(body.chunkedPublisher())
        .build());

    assertThat(r.statusCode()).isEqualTo(413);
    assertCleanError(r, "upload_too_large");
  }

  @Test
  void aHostileUploadFileNameIsKeptAsDataOnly() throws Exception {
    // The name is shown, never used as a path: the model is stored as model.onnx in its own folder.
    HttpResponse<String> r = server.uploadModel("../../etc/cron.d/x.onnx", TestModels.tensorNotModel());
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(TestServer.json(r).get("detail").asText()).doesNotContain("cron");
  }

  static void assertCleanError(HttpResponse<String> r, String error) throws IOException {
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    JsonNode body = TestServer.json(r);
    assertThat(body.get("error").asText()).isEqualTo(error);
    String detail = body.get("detail").asText();
    assertThat(detail).isNotBlank().doesNotContain("\n");
    assertThat(r.body())
        .doesNotContain("Exception")
        .doesNotContain("\tat ")
        .doesNotContain("dev.trtcompat.")
        .doesNotContain(data.toString());
    assertThat(body.size()).isEqualTo(2);
    assertThat(r.body().getBytes(StandardCharsets.UTF_8).length).isLessThan(2048);
  }
}
