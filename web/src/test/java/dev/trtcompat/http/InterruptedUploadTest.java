package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.app.Setting;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that goes away mid-body leaves nothing behind (no staged file, no stored model, no catalog row), the
 * same upload sent again is stored, and an upload limit above 4 GiB is honoured as configured.
 */
class InterruptedUploadTest {

  /** Above 4 GiB, so a 32-bit size anywhere on the path would show. */
  static final long LIMIT = 6L << 30;

  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws IOException {
    ServiceConfig config = ServiceConfig.load(null, Map.of(),
        Map.of(Setting.PORT, "0", Setting.DATA_DIR, data.toString(), Setting.MAX_UPLOAD, "6GiB"), data);
    assertThat(config.maxUploadBytes()).isEqualTo(LIMIT);
    server = new TestServer(config);
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  @Test
  void aClientClosingMidBodyLeavesNoFileAndNoRowAndTheUploadCanBeRetried() throws Exception {
    byte[] model = TestModels.withInlineWeights(4 << 20);
    Multipart body = new Multipart().file("model", "m.onnx", model);
    byte[] bytes = body.bytes();
    String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));

    try (Socket s = new Socket("127.0.0.1", server.server().port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(head(body.contentType(), bytes.length, false));
      out.write(bytes, 0, bytes.length / 2); // half the weights, then the client stops sending
      out.flush();
      awaitStaged(); // the server had started writing the model
      s.shutdownOutput();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"upload_interrupted\"").doesNotContain("internal_error");
    }

    awaitNothingStaged();
    assertThat(server.storedModels()).isZero();
    assertThat(server.server().jobs().models().find(id)).isEmpty();
    assertThat(server.get("/api/v1/health").statusCode()).isEqualTo(200);

    HttpResponse<String> retry = server.upload(body);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(TestServer.json(retry).get("id").asText()).isEqualTo(id);
    assertThat(server.server().jobs().models().find(id)).isPresent();
    assertThat(server.tmpEntries()).isZero();
  }

  @Test
  void aLimitAboveFourGibibytesAcceptsFiveAndRefusesSeven() throws Exception {
    // Only the head is sent: with Expect: 100-continue the server answers on the declared length alone.
    assertThat(answerTo(head("multipart/form-data; boundary=b", 7L << 30, true)))
        .startsWith("HTTP/1.1 413 ").contains("\"upload_too_large\"").contains("6 GiB");
    assertThat(answerTo(head("multipart/form-data; boundary=b", 5L << 30, true))).startsWith("HTTP/1.1 100 ");
    awaitNothingStaged();
    assertThat(server.storedModels()).isZero();
  }

  @Test
  void aStreamedUploadPastTheLimitIsCutOffAndLeavesNothing() throws Exception {
    server.close();
    server = new TestServer(data, 1 << 20);
    Multipart body = new Multipart().file("model", "big.onnx", TestModels.withInlineWeights(2 << 20));
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models"))
        .header("Content-Type", body.contentType())
        .POST(body.chunkedPublisher())
        .build());

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(server.tmpEntries()).isZero();
    assertThat(server.storedModels()).isZero();
  }

  private static byte[] head(String contentType, long length, boolean expectContinue) {
    return ("POST /api/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType + "\r\n"
        + "Content-Length: " + length + "\r\n" + (expectContinue ? "Expect: 100-continue\r\n" : "")
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * What the server answers to a request head alone: everything up to its close, or just the head of an interim
   * {@code 100 Continue} (after which it waits for a body that never comes).
   */
  private String answerTo(byte[] requestHead) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.server().port())) {
      s.setSoTimeout(60_000);
      s.getOutputStream().write(requestHead);
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) > 0) {
        got.write(buf, 0, n);
        String text = got.toString(StandardCharsets.UTF_8);
        if (text.startsWith("HTTP/1.1 100 ") && text.contains("\r\n\r\n")) {
          break;
        }
      }
      return got.toString(StandardCharsets.UTF_8);
    }
  }

  private void awaitStaged() throws Exception {
    for (int i = 0; i < 500 && server.tmpEntries() == 0; i++) {
      Thread.sleep(10);
    }
    assertThat(server.tmpEntries()).as("the upload reached the staging folder").isPositive();
  }

  private void awaitNothingStaged() throws Exception {
    for (int i = 0; i < 1000 && server.tmpEntries() > 0; i++) {
      Thread.sleep(10);
    }
    assertThat(server.tmpEntries()).as("files left in the data folder's tmp/").isZero();
  }
}
