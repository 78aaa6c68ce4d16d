package dev.trtcompat.http.upload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.json.Json;
import dev.trtcompat.store.Database;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resumable upload API against a real server, its SQLite database and data folder: chunks in order complete into
 * the same model a multipart upload stores; wrong offsets, overlaps and chunks past the end are refused with the
 * offset to resume from; a socket cut mid-chunk and a server restart both resume; a wrong hash, a path escape and an
 * abort leave nothing registered; idle uploads expire.
 */
class ResumableUploadTest {

  /** 4 MiB of weights: several of the server's 1 MiB buffers, so a cut lands mid-file. */
  static final int FLOATS = 1 << 20;

  @TempDir Path data;
  TestServer server;
  byte[] model;
  byte[] weights;

  @BeforeEach
  void start() throws IOException {
    server = new TestServer(data);
    model = TestModels.withExternalWeights("weights.bin", FLOATS);
    ByteBuffer w = ByteBuffer.allocate(4 * FLOATS).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < FLOATS; i++) {
      w.putFloat(i * 0.5f);
    }
    weights = w.array();
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  @Test
  void chunksInOrderCompleteIntoTheModelAMultipartUploadStores() throws Exception {
    JsonNode upload = declare(sha256(model), sha256(weights));
    String id = upload.get("id").asText();
    assertThat(upload.get("size").asLong()).isEqualTo(model.length + weights.length);
    assertThat(upload.at("/files/0/role").asText()).isEqualTo("model");
    assertThat(upload.at("/files/1/received").asLong()).isZero();

    assertThat(chunk(id, "big.onnx", model, 0, model.length).statusCode()).isEqualTo(200);
    int third = weights.length / 3;
    HttpResponse<String> first = chunk(id, "weights.bin", weights, 0, third);
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Upload-Offset")).hasValue(Integer.toString(third));
    // ?offset= instead of Content-Range: the chunk runs to the end of the body.
    HttpResponse<String> second = send(HttpRequest.newBuilder(server.uri(fileUrl(id, "weights.bin") + "?offset=" + third))
        .PUT(BodyPublishers.ofByteArray(Arrays.copyOfRange(weights, third, 2 * third))));
    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(status(id).at("/files/1/received").asLong()).isEqualTo(2L * third);
    assertThat(chunk(id, "weights.bin", weights, 2 * third, weights.length).statusCode()).isEqualTo(200);
    assertThat(status(id).get("complete").asBoolean()).isTrue();

    HttpResponse<String> done = complete(id);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
    JsonNode stored = TestServer.json(done);
    String modelId = stored.get("id").asText();
    assertThat(done.headers().firstValue("Location")).hasValue("/api/v1/models/" + modelId);
    assertThat(stored.get("fileName").asText()).isEqualTo("big.onnx");
    assertThat(stored.at("/externalFiles/0/sha256").asText()).isEqualTo(sha256(weights));
    assertThat(server.server().jobs().models().find(modelId)).isPresent();
    assertThat(Files.readAllBytes(server.store().modelFile(modelId).orElseThrow())).isEqualTo(model);

    // The same files as one multipart upload are the same content: same id, stored once.
    HttpResponse<String> multipart = server.upload(new Multipart().file("model", "big.onnx", model)
        .file("external", "weights.bin", weights));
    assertThat(multipart.statusCode()).isEqualTo(200);
    assertThat(TestServer.json(multipart).get("id").asText()).isEqualTo(modelId);
    assertNothingLeftOf(id);
  }

  @Test
  void chunksOutOfOrderOverlappingOrPastTheEndAreRefusedWithWhereToGoOn() throws Exception {
    String id = declare(null, null).get("id").asText();
    assertThat(chunk(id, "weights.bin", weights, 0, 1000).statusCode()).isEqualTo(200);

    HttpResponse<String> gap = chunk(id, "weights.bin", weights, 2000, 3000);
    assertThat(gap.statusCode()).isEqualTo(409);
    assertThat(error(gap)).isEqualTo("offset_mismatch");
    assertThat(TestServer.json(gap).get("detail").asText()).contains("has 1000 of its", "leaving a gap", "from byte 1000");
    assertThat(gap.headers().firstValue("Upload-Offset")).hasValue("1000");

    HttpResponse<String> overlap = chunk(id, "weights.bin", weights, 500, 1500);
    assertThat(overlap.statusCode()).isEqualTo(409);
    assertThat(TestServer.json(overlap).get("detail").asText()).contains("over bytes already received");

    HttpResponse<String> pastTheEnd = send(HttpRequest.newBuilder(server.uri(fileUrl(id, "weights.bin")))
        .header("Content-Range", "bytes 1000-" + weights.length + "/" + weights.length)
        .PUT(BodyPublishers.ofByteArray(new byte[weights.length - 999])));
    assertThat(pastTheEnd.statusCode()).isEqualTo(416);
    assertThat(error(pastTheEnd)).isEqualTo("range_not_satisfiable");

    HttpResponse<String> wrongTotal = send(HttpRequest.newBuilder(server.uri(fileUrl(id, "weights.bin")))
        .header("Content-Range", "bytes 1000-1999/5000")
        .PUT(BodyPublishers.ofByteArray(new byte[1000])));
    assertThat(wrongTotal.statusCode()).isEqualTo(416);
    assertThat(TestServer.json(wrongTotal).get("detail").asText()).contains("declared as " + weights.length);

    HttpResponse<String> garbled = send(HttpRequest.newBuilder(server.uri(fileUrl(id, "weights.bin")))
        .header("Content-Range", "1000-1999").PUT(BodyPublishers.ofByteArray(new byte[1000])));
    assertThat(garbled.statusCode()).isEqualTo(400);
    assertThat(error(garbled)).isEqualTo("invalid_content_range");

    HttpResponse<String> unknownFile = chunk(id, "other.bin", weights, 0, 10);
    assertThat(unknownFile.statusCode()).isEqualTo(404);
    assertThat(error(unknownFile)).isEqualTo("upload_file_not_found");

    // None of the refused chunks moved the file on: the next one in order still fits.
    assertThat(status(id).at("/files/1/received").asLong()).isEqualTo(1000);
    assertThat(chunk(id, "weights.bin", weights, 1000, 2000).statusCode()).isEqualTo(200);
    HttpResponse<String> early = complete(id);
    assertThat(early.statusCode()).isEqualTo(409);
    assertThat(error(early)).isEqualTo("upload_incomplete");
  }

  @Test
  void aSocketCutMidChunkKeepsWhatArrivedAndTheUploadResumesFromThere() throws Exception {
    String id = declare(sha256(model), sha256(weights)).get("id").asText();
    assertThat(chunk(id, "big.onnx", model, 0, model.length).statusCode()).isEqualTo(200);
    Path onDisk = data.resolve("uploads").resolve(id).resolve("1");

    try (Socket s = new Socket("127.0.0.1", server.server().port())) {
      OutputStream out = s.getOutputStream();
      out.write(("PUT " + fileUrl(id, "weights.bin") + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Range: bytes 0-"
          + (weights.length - 1) + "/" + weights.length + "\r\nContent-Length: " + weights.length
          + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(weights, 0, weights.length * 3 / 4); // three quarters, then the connection drops
      out.flush();
      for (int i = 0; i < 1000 && Files.size(onDisk) < weights.length / 2; i++) {
        Thread.sleep(10);
      }
      assertThat(Files.size(onDisk)).as("bytes written while the chunk streamed in").isGreaterThanOrEqualTo(weights.length / 2);
    }

    long received = 0;
    for (int i = 0; i < 1000 && received == 0; i++) {
      Thread.sleep(10);
      received = status(id).at("/files/1/received").asLong();
    }
    assertThat(received).as("bytes kept from the cut chunk").isBetween((long) weights.length / 2, weights.length * 3L / 4);
    assertThat(complete(id).statusCode()).isEqualTo(409);

    HttpResponse<String> rest = chunk(id, "weights.bin", weights, (int) received, weights.length);
    assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
    HttpResponse<String> done = complete(id);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
    assertThat(TestServer.json(done).at("/externalFiles/0/sha256").asText()).isEqualTo(sha256(weights));
    assertNothingLeftOf(id);
  }

  @Test
  void aWrongSha256Is400NothingIsRegisteredAndTheFileCanBeSentAgain() throws Exception {
    String wrong = sha256(new byte[] {1, 2, 3});
    String id = declare(sha256(model), wrong).get("id").asText();
    assertThat(chunk(id, "big.onnx", model, 0, model.length).statusCode()).isEqualTo(200);
    assertThat(chunk(id, "weights.bin", weights, 0, weights.length).statusCode()).isEqualTo(200);

    HttpResponse<String> r = complete(id);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(error(r)).isEqualTo("sha256_mismatch");
    assertThat(TestServer.json(r).get("detail").asText()).contains("weights.bin", sha256(weights), wrong);
    assertThat(server.storedModels()).isZero();
    assertThat(server.server().jobs().models().find(sha256(model))).isEmpty();
    assertThat(server.tmpEntries()).isZero();
    JsonNode after = status(id);
    assertThat(after.at("/files/0/received").asLong()).isEqualTo(model.length);
    assertThat(after.at("/files/1/received").asLong()).as("the mismatched file is dropped").isZero();
  }

  @Test
  void namesAndExternalDataLeavingTheModelFolderAreRefused() throws Exception {
    HttpResponse<String> escape = send(HttpRequest.newBuilder(server.uri("/api/v1/uploads"))
        .POST(BodyPublishers.ofString(body(Map.of("model", file("m.onnx", 10, null),
            "external", List.of(file("../weights.bin", 10, null)))))));
    assertThat(escape.statusCode()).isEqualTo(400);
    assertThat(error(escape)).isEqualTo("invalid_file_name");

    // A model whose initializer points outside its folder: the store's reader refuses it at completion.
    byte[] escaping = TestModels.withExternalWeights("../../../etc/passwd", 4);
    JsonNode upload = TestServer.json(send(HttpRequest.newBuilder(server.uri("/api/v1/uploads"))
        .POST(BodyPublishers.ofString(body(Map.of("model", file("esc.onnx", escaping.length, null)))))));
    String id = upload.get("id").asText();
    assertThat(chunk(id, "esc.onnx", escaping, 0, escaping.length).statusCode()).isEqualTo(200);
    HttpResponse<String> r = complete(id);
    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(error(r)).isEqualTo("unsafe_external_data_path");
    assertThat(server.storedModels()).isZero();
    assertThat(server.tmpEntries()).isZero();
    // The refused model is still the upload's, whole: nothing was lost on the way to the store.
    assertThat(Files.readAllBytes(data.resolve("uploads").resolve(id).resolve("0"))).isEqualTo(escaping);
    assertThat(status(id).at("/files/0/complete").asBoolean()).isTrue();
  }

  @Test
  void abortLeavesNoFileAndNoRow() throws Exception {
    String id = declare(null, null).get("id").asText();
    assertThat(chunk(id, "weights.bin", weights, 0, 4096).statusCode()).isEqualTo(200);
    assertThat(rows(id)).isEqualTo(3);

    HttpResponse<String> r = send(HttpRequest.newBuilder(server.uri("/api/v1/uploads/" + id)).DELETE());
    assertThat(r.statusCode()).isEqualTo(204);
    assertNothingLeftOf(id);
    assertThat(send(HttpRequest.newBuilder(server.uri("/api/v1/uploads/" + id)).DELETE()).statusCode()).isEqualTo(404);
  }

  @Test
  void theBytesStillToComeAreTheDeclaredSizesLessWhatArrivedPerUnfinishedUpload() throws Exception {
    String id = declare(null, null).get("id").asText();
    assertThat(chunk(id, "weights.bin", weights, 0, 4096).statusCode()).isEqualTo(200);
    assertThat(chunk(id, "big.onnx", model, 0, model.length).statusCode()).isEqualTo(200);
    String other = declare(null, null).get("id").asText();
    UploadSessions sessions = new UploadSessions(server.server().jobs().database());
    assertThat(sessions.outstandingBytes()).containsExactlyInAnyOrderEntriesOf(Map.of(
        id, (long) weights.length - 4096, other, (long) model.length + weights.length));

    assertThat(complete(other).statusCode()).isEqualTo(409); // incomplete: still promised
    assertThat(send(HttpRequest.newBuilder(server.uri("/api/v1/uploads/" + other)).DELETE()).statusCode())
        .isEqualTo(204);
    assertThat(sessions.outstandingBytes()).containsOnlyKeys(id);
  }

  @Test
  void aRestartKeepsAResumableUpload() throws Exception {
    String id = declare(sha256(model), sha256(weights)).get("id").asText();
    assertThat(chunk(id, "big.onnx", model, 0, model.length).statusCode()).isEqualTo(200);
    int half = weights.length / 2 + 12345;
    assertThat(chunk(id, "weights.bin", weights, 0, half).statusCode()).isEqualTo(200);

    server.restart();

    assertThat(status(id).at("/files/1/received").asLong()).isEqualTo(half);
    // The running hash is rebuilt from the bytes on disk; the declared hash checks it at completion.
    assertThat(chunk(id, "weights.bin", weights, half, weights.length).statusCode()).isEqualTo(200);
    HttpResponse<String> done = complete(id);
    assertThat(done.statusCode()).as(done.body()).isEqualTo(201);
    assertNothingLeftOf(id);
  }

  @Test
  void idleUploadsExpireAndFilesWithoutARecordAreRemoved() throws Exception {
    String idle = declare(null, null).get("id").asText();
    assertThat(chunk(idle, "weights.bin", weights, 0, 4096).statusCode()).isEqualTo(200);
    Path debris = Files.createDirectories(data.resolve("uploads").resolve("0123456789abcdef0123456789abcdef"));
    Files.write(debris.resolve("0"), new byte[10]);

    // What a start-up two hours later finds: the same database and folder, a clock past the expiry.
    Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);
    Database db = server.server().jobs().database();
    try (ResumableUploads atStart = new ResumableUploads(db, server.store(), data, 1L << 30, Duration.ofHours(1), later,
        "/api/v1/uploads", m -> { })) {
      assertThat(atStart.sweep()).as("nothing left to expire after the start-up sweep").isZero();
    }
    assertNothingLeftOf(idle);
    assertThat(debris).doesNotExist();

    // Within the expiry nothing goes.
    String fresh = declare(null, null).get("id").asText();
    try (ResumableUploads atStart = new ResumableUploads(db, server.store(), data, 1L << 30, Duration.ofHours(3), later,
        "/api/v1/uploads", m -> { })) {
      assertThat(atStart.sweep()).isZero();
    }
    assertThat(status(fresh).get("id").asText()).isEqualTo(fresh);
  }

  @Test
  void anotherClientsUploadIsNotThere() throws Exception {
    HttpResponse<String> r = server.get("/api/v1/uploads/0123456789abcdef0123456789abcdef");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(error(r)).isEqualTo("upload_not_found");
    assertThat(server.get("/api/v1/uploads/not-an-id").statusCode()).isEqualTo(404);
  }

  // ---- helpers

  private JsonNode declare(String modelSha, String weightsSha) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", file("big.onnx", model.length, modelSha));
    body.put("external", List.of(file("weights.bin", weights.length, weightsSha)));
    HttpResponse<String> r = send(HttpRequest.newBuilder(server.uri("/api/v1/uploads"))
        .header("Content-Type", "application/json").POST(BodyPublishers.ofString(body(body))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/uploads/" + TestServer.json(r).get("id").asText());
    return TestServer.json(r);
  }

  private static Map<String, Object> file(String name, long size, String sha) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("name", name);
    f.put("size", size);
    if (sha != null) {
      f.put("sha256", sha);
    }
    return f;
  }

  private static String body(Object value) throws IOException {
    return Json.mapper().writeValueAsString(value);
  }

  private static String fileUrl(String id, String name) {
    return "/api/v1/uploads/" + id + "/files/" + name;
  }

  /** Bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code bytes} with their Content-Range. */
  private HttpResponse<String> chunk(String id, String name, byte[] bytes, int from, int to) throws Exception {
    return send(HttpRequest.newBuilder(server.uri(fileUrl(id, name)))
        .header("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + bytes.length)
        .PUT(BodyPublishers.ofByteArray(Arrays.copyOfRange(bytes, from, to))));
  }

  private HttpResponse<String> complete(String id) throws Exception {
    return send(HttpRequest.newBuilder(server.uri("/api/v1/uploads/" + id + "/complete")).POST(BodyPublishers.noBody()));
  }

  private JsonNode status(String id) throws Exception {
    HttpResponse<String> r = server.get("/api/v1/uploads/" + id);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return TestServer.json(r);
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return server.send(b.timeout(Duration.ofSeconds(60)).build());
  }

  private static String error(HttpResponse<String> r) throws IOException {
    return TestServer.json(r).get("error").asText();
  }

  /** Rows of the upload in the service's database: its session and its files. */
  private long rows(String id) {
    return server.server().jobs().database().read(c -> {
      long n = 0;
      for (String sql : List.of("SELECT COUNT(*) FROM upload_session WHERE id = ?",
          "SELECT COUNT(*) FROM upload_file WHERE upload_id = ?")) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            n += rs.getLong(1);
          }
        }
      }
      return n;
    });
  }

  private void assertNothingLeftOf(String id) throws Exception {
    assertThat(rows(id)).as("database rows of upload " + id).isZero();
    assertThat(data.resolve("uploads").resolve(id)).doesNotExist();
    try (Stream<Path> s = Files.list(data.resolve("uploads"))) {
      assertThat(s.toList()).isEmpty();
    }
    assertThat(server.tmpEntries()).isZero();
    assertThat(server.get("/api/v1/uploads/" + id).statusCode()).isEqualTo(404);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
