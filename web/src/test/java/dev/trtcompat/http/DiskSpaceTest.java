package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.testing.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upload whose size is known up front and does not fit on the data folder's disk is refused with 507 before
 * a byte is written, on the resumable API (its declaration, beside the bytes other unfinished resumable uploads have
 * still to send) and on the multipart route (its Content-Length, beside the same).
 */
class DiskSpaceTest {

  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws IOException {
    server = new TestServer(data, 1L << 60); // no size limit in the way: the disk is the limit here
  }

  @AfterEach
  void stop() throws IOException {
    server.close();
  }

  @Test
  void aResumableUploadDeclaredLargerThanTheFreeSpaceIs507AndLeavesNothing() throws Exception {
    long free = Files.getFileStore(data).getUsableSpace();

    HttpResponse<String> tooBig = declare(free + 1);
    assertThat(tooBig.statusCode()).as(tooBig.body()).isEqualTo(507);
    assertThat(TestServer.json(tooBig).get("error").asText()).isEqualTo("insufficient_storage");
    assertThat(TestServer.json(tooBig).get("detail").asText()).contains("free").doesNotContain("Exception");
    try (var left = Files.list(data.resolve("uploads"))) {
      assertThat(left).isEmpty();
    }
    long rows = server.server().jobs().database().read(c -> {
      try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM upload_session")) {
        rs.next();
        return rs.getLong(1);
      }
    });
    assertThat(rows).isZero();

    assertThat(declare(1024).statusCode()).isEqualTo(201);
  }

  @Test
  void aResumableUploadMustFitBesideWhatOtherUnfinishedUploadsHaveStillToSend() throws Exception {
    // 60% of the free space each: either fits alone, both together do not (with a wide margin either way, as the
    // disk is shared and its free space moves while the test runs).
    long size = Files.getFileStore(data).getUsableSpace() / 10 * 6;
    HttpResponse<String> first = declare(size);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    String firstId = TestServer.json(first).get("id").asText();

    HttpResponse<String> second = declare(size);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(507);
    assertThat(TestServer.json(second).get("detail").asText())
        .contains("still to come for 1 unfinished resumable upload(s)", "finish or abort the others");
    assertThat(sessions()).isEqualTo(1);

    // Once the first is aborted its promise is gone and the same declaration fits.
    HttpResponse<String> abort = server.send(HttpRequest.newBuilder(server.uri("/api/v1/uploads/" + firstId))
        .DELETE().build());
    assertThat(abort.statusCode()).isEqualTo(204);
    HttpResponse<String> again = declare(size);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
  }

  private long sessions() {
    return server.server().jobs().database().read(c -> {
      try (var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM upload_session")) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  @Test
  void aMultipartUploadWithAContentLengthLargerThanTheFreeSpaceIs507BeforeItsBody() throws Exception {
    long free = Files.getFileStore(data).getUsableSpace();
    String head = "POST /api/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        + "Content-Length: " + (free + 1) + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
    try (Socket s = new Socket("127.0.0.1", server.server().port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 507 ").doesNotContain("100 Continue").contains("\"insufficient_storage\"");
    }
    assertThat(server.tmpEntries()).isZero();
    assertThat(server.storedModels()).isZero();
  }

  @Test
  void aMultipartUploadMustFitBesideWhatUnfinishedResumableUploadsHaveStillToSend() throws Exception {
    long size = Files.getFileStore(data).getUsableSpace() / 10 * 6; // either fits alone, not both (see above)
    HttpResponse<String> first = declare(size);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    String head = "POST /api/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        + "Content-Length: " + size + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n";
    try (Socket s = new Socket("127.0.0.1", server.server().port())) {
      s.setSoTimeout(30_000);
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(answer).startsWith("HTTP/1.1 507 ").doesNotContain("100 Continue")
          .contains("still to come for 1 unfinished resumable upload(s)");
    }
    assertThat(server.tmpEntries()).isZero();
    assertThat(server.storedModels()).isZero();
  }

  private HttpResponse<String> declare(long size) throws Exception {
    return server.send(HttpRequest.newBuilder(server.uri("/api/v1/uploads"))
        .header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString("{\"model\": {\"name\": \"big.onnx\", \"size\": " + size + "}}"))
        .build());
  }
}
