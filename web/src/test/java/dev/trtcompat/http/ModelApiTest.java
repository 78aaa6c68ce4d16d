package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads real models to a real server over HTTP and reads them back, also after a restart. */
class ModelApiTest {


  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestServer(data);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  @Test
  void theSameFileIsStoredOnceAndAnswered200WithTheSameId() throws Exception {
    byte[] model = TestModels.single("Relu").build().toByteArray();
    HttpResponse<String> first = server.uploadModel("a.onnx", model);
    HttpResponse<String> second = server.uploadModel("renamed.onnx", model);

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(second.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(second).get("id")).isEqualTo(TestServer.json(first).get("id"));
    // The first upload's name and time are kept: the content was not stored again.
    assertThat(TestServer.json(second).get("fileName").asText()).isEqualTo("a.onnx");
    assertThat(TestServer.json(second).get("uploadedAt")).isEqualTo(TestServer.json(first).get("uploadedAt"));
    assertThat(server.storedModels()).isEqualTo(1);
    assertThat(server.tmpEntries()).isZero();
  }

  @Test
  void modelsSurviveARestartOnTheSameDataFolder() throws Exception {
    HttpResponse<String> up = server.uploadModel("m.onnx", TestModels.single("Sigmoid").build().toByteArray());
    JsonNode before = TestServer.json(up);

    server.restart();

    HttpResponse<String> r = server.get("/api/v1/models/" + before.get("id").asText());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(r)).isEqualTo(before);
    assertThat(server.get("/models/" + before.get("id").asText()).body()).contains("Sigmoid");
  }

  @Test
  void listsRecentModelsNewestFirstWithALimit() throws Exception {
    List<String> ids = new ArrayList<>();
    for (String op : List.of("Relu", "Tanh", "Exp")) {
      ids.add(TestServer.json(server.uploadModel(op + ".onnx", TestModels.single(op).build().toByteArray())).get("id").asText());
      Thread.sleep(5); // distinct upload times
    }

    JsonNode all = TestServer.json(server.get("/api/v1/models"));
    assertThat(all.get("models")).hasSize(3);
    assertThat(all.get("models").get(0).get("id").asText()).isEqualTo(ids.get(2));
    assertThat(all.get("models").get(2).get("fileName").asText()).isEqualTo("Relu.onnx");
    assertThat(all.get("models").get(0).has("summary")).isFalse();

    JsonNode two = TestServer.json(server.get("/api/v1/models?limit=2"));
    assertThat(two.get("models")).hasSize(2);

    HttpResponse<String> bad = server.get("/api/v1/models?limit=abc");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(bad).get("error").asText()).isEqualTo("invalid_parameter");
  }

  @Test
  void unknownIdsAre404Json() throws Exception {
    for (String id : List.of("0".repeat(64), "not-an-id", "..%2F..%2Fetc%2Fpasswd")) {
      HttpResponse<String> r = server.get("/api/v1/models/" + id);
      assertThat(r.statusCode()).as(id).isEqualTo(404);
      JsonNode body = TestServer.json(r);
      assertThat(body.get("error").asText()).isIn("model_not_found", "not_found");
      assertThat(body.get("detail").asText()).isNotBlank();
    }
  }

  @Test
  void aModelAndItsExternalDataAreUploadedTogether() throws Exception {
    int n = 1000;
    byte[] weights = new byte[4 * n];
    new java.util.Random(1).nextBytes(weights);
    byte[] model = TestModels.withExternalWeights("weights.bin", n);

    HttpResponse<String> r = server.upload(new Multipart().file("model", "ext.onnx", model).file("external", "weights.bin", weights));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode body = TestServer.json(r);
    assertThat(body.at("/summary/externalDataFiles/0").asText()).isEqualTo("weights.bin");
    assertThat(body.at("/summary/initializerBytes").asLong()).isEqualTo(4L * n);
    assertThat(body.at("/externalFiles/0/name").asText()).isEqualTo("weights.bin");
    assertThat(body.at("/externalFiles/0/sha256").asText()).isEqualTo(sha256(weights));
    // The id covers the weights too; the model file's own hash is reported separately.
    assertThat(body.get("sha256").asText()).isEqualTo(sha256(model));
    assertThat(body.get("id").asText()).isNotEqualTo(sha256(model));
    Path stored = server.store().modelsDir().resolve(body.get("id").asText()).resolve("files");
    assertThat(stored.resolve("weights.bin")).hasBinaryContent(weights);
    assertThat(stored.resolve("model.onnx")).hasBinaryContent(model);

    // Different weights under the same model file are a different model.
    weights[0] ^= 1;
    HttpResponse<String> other = server.upload(new Multipart().file("model", "ext.onnx", model).file("external", "weights.bin", weights));
    assertThat(other.statusCode()).isEqualTo(201);
    assertThat(TestServer.json(other).get("id")).isNotEqualTo(body.get("id"));
  }

  @Test
  void aLargeUploadIsStreamedToDiskIntact(@TempDir Path scratch) throws Exception {
    byte[] model = TestModels.withInlineWeights(48 << 20);
    Path file = scratch.resolve("big.onnx");
    Files.write(file, model);

    HttpResponse<String> r = server.upload(new Multipart().file("model", "big.onnx", file));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode body = TestServer.json(r);
    assertThat(body.get("id").asText()).isEqualTo(sha256(model));
    assertThat(body.at("/summary/initializerBytes").asLong()).isEqualTo(48L << 20);
    assertThat(server.store().modelFile(body.get("id").asText()).orElseThrow()).hasSize(model.length);
  }

  @Test
  void theHtmlFormFallbackRedirectsToTheModelPage() throws Exception {
    byte[] model = TestModels.single("Softmax").build().toByteArray();
    HttpResponse<String> r = server.send(new Multipart().file("model", "form.onnx", model).post(server.uri("/models")).build());

    assertThat(r.statusCode()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/models/" + sha256(model));
  }

  @Test
  void aDamagedStoreEntryIsA500WithoutDetailsAndTheServerGoesOn() throws Exception {
    String id = TestServer.json(server.uploadModel("m.onnx", TestModels.single("Relu").build().toByteArray())).get("id").asText();
    Files.writeString(server.store().modelsDir().resolve(id).resolve("upload.json"), "{ not json");

    HttpResponse<String> r = server.get("/api/v1/models/" + id);

    assertThat(r.statusCode()).isEqualTo(500);
    JsonNode body = TestServer.json(r);
    assertThat(body.get("error").asText()).isEqualTo("internal_error");
    assertThat(body.get("detail").asText()).contains("incident").doesNotContain("Exception").doesNotContain("at dev.");
    assertThat(server.get("/api/v1/health").statusCode()).isEqualTo(200);
    // The damaged entry is left out of listings instead of breaking them.
    assertThat(TestServer.json(server.get("/api/v1/models")).get("models")).isEmpty();
  }

  @Test
  void stoppingLetsAnUploadInFlightFinish() throws Exception {
    byte[] model = TestModels.withInlineWeights(8 << 20);
    java.io.PipedInputStream source = new java.io.PipedInputStream(1 << 16);
    OutputStream sink = new java.io.PipedOutputStream(source);
    Multipart body = new Multipart().file("model", "slow.onnx", model);
    byte[] bytes = body.bytes();
    var request = java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/models"))
        .header("Content-Type", body.contentType())
        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> source))
        .build();
    var client = java.net.http.HttpClient.newHttpClient();
    var response = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    sink.write(bytes, 0, bytes.length / 2);
    sink.flush();
    Thread.sleep(300); // the server is now inside the upload

    Thread stopper = new Thread(() -> server.server().close());
    stopper.start();
    Thread.sleep(300);
    sink.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
    sink.close();

    HttpResponse<String> r = response.get(30, java.util.concurrent.TimeUnit.SECONDS);
    stopper.join(30_000);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(TestServer.json(r).get("id").asText()).isEqualTo(sha256(model));
    assertThat(stopper.isAlive()).isFalse();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }
}
