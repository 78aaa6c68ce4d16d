package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trtcompat.app.ServiceConfig;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestModels;
import dev.trtcompat.testing.TestServer;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits on uploads: size (413) on the API and the page form, and uploads at once (429). */
class UploadLimitsTest {

  @TempDir Path dir;

  @Test
  void oneUploadMoreThanTheLimitIs429WithRetryAfterAndTheSlotComesBack() throws Exception {
    ServiceConfig config = new ServiceConfig("127.0.0.1", 0, dir, 1L << 20, Duration.ofSeconds(5)).withMaxConcurrentUploads(1);
    try (TestServer server = new TestServer(config)) {
      byte[] model = TestModels.single("Relu").build().toByteArray();
      try (HeldUpload first = HeldUpload.start(server, new Multipart().file("model", "slow.onnx", model))) {

        HttpResponse<String> api = server.uploadModel("second.onnx", model);
        HttpResponse<String> form = server.send(new Multipart().file("model", "second.onnx", model).post(server.uri("/models")).build());

        for (HttpResponse<String> r : new HttpResponse[] {api, form}) {
          assertThat(r.statusCode()).isEqualTo(429);
          assertThat(r.headers().firstValue("Retry-After")).hasValue(Integer.toString(UploadSlots.RETRY_AFTER_SECONDS));
          assertThat(r.body()).contains("too_many_uploads");
        }
        assertThat(form.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));

        assertThat(first.finish()).startsWith("HTTP/1.1 201 ");
      }
      // A refused upload (here 413, from inside the route) gives its slot back too.
      assertThat(server.uploadModel("big.onnx", TestModels.withInlineWeights(2 << 20)).statusCode()).isEqualTo(413);
      assertThat(server.uploadModel("again.onnx", model).statusCode()).isEqualTo(200);
      assertThat(server.uploadModel("other.onnx", TestModels.single("Sigmoid").build().toByteArray()).statusCode()).isEqualTo(201);
    }
  }

  @Test
  void aResumableChunkBeingReceivedTakesAnUploadSlotToo() throws Exception {
    ServiceConfig config = new ServiceConfig("127.0.0.1", 0, dir, 1L << 20, Duration.ofSeconds(5)).withMaxConcurrentUploads(1);
    try (TestServer server = new TestServer(config)) {
      byte[] model = TestModels.single("Relu").build().toByteArray();
      String first = declare(server, model.length);
      String second = declare(server, model.length);
      try (Socket s = new Socket("127.0.0.1", server.server().port())) {
        s.setSoTimeout(60_000);
        // The first chunk sends its head and part of its body, then holds the rest back.
        OutputStream out = s.getOutputStream();
        out.write(("PUT /api/v1/uploads/" + first + "/files/m.onnx HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Range: bytes 0-"
            + (model.length - 1) + "/" + model.length + "\r\nContent-Length: " + model.length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(model, 0, 10);
        out.flush();
        // Once the chunk holds the slot, a request that would take one is refused (a free slot answers 400 here).
        HttpRequest probe = HttpRequest.newBuilder(server.uri("/api/v1/models"))
            .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofString("x")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.send(probe).statusCode() != 429 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(server.send(probe).statusCode()).as("a whole upload while a chunk is received").isEqualTo(429);

        HttpResponse<String> chunk = putChunk(server, second, model);
        assertThat(chunk.statusCode()).as("another chunk while one is received").isEqualTo(429);
        assertThat(chunk.headers().firstValue("Retry-After")).hasValue(Integer.toString(UploadSlots.RETRY_AFTER_SECONDS));
        assertThat(chunk.body()).contains("too_many_uploads");

        out.write(model, 10, model.length - 10);
        out.flush();
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 200 ");
      }
      // The slot came back: the other upload's chunk, a status request and the completion go through.
      assertThat(putChunk(server, second, model).statusCode()).isEqualTo(200);
      assertThat(server.get("/api/v1/uploads/" + second).statusCode()).isEqualTo(200);
      assertThat(server.send(HttpRequest.newBuilder(server.uri("/api/v1/uploads/" + first + "/complete"))
          .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(201);
    }
  }

  @Test
  void quantizeAndFixRequestsWithFilesTakeAnUploadSlotAndTheSameRequestsAsJsonDoNot() throws Exception {
    ServiceConfig config = new ServiceConfig("127.0.0.1", 0, dir, 1L << 20, Duration.ofSeconds(5)).withMaxConcurrentUploads(1);
    try (TestServer server = new TestServer(config)) {
      byte[] model = TestModels.single("Relu").build().toByteArray();
      HttpResponse<String> stored = server.uploadModel("relu.onnx", model);
      assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
      String id = TestServer.json(stored).get("id").asText();
      Multipart slow = new Multipart().file("model", "slow.onnx", TestModels.single("Sigmoid").build().toByteArray());
      try (HeldUpload first = HeldUpload.start(server, slow)) {

        String origin = "http://127.0.0.1:" + server.server().port();
        for (String action : new String[] {"fix", "quantize", "fp16"}) {
          for (String path : new String[] {"/api/v1/models/" + id + "/" + action, "/models/" + id + "/" + action}) {
            Multipart withFile = new Multipart().file(action.equals("fix") ? "inputs" : "calib", "x.npy", new byte[] {1, 2, 3});
            HttpResponse<String> r = server.send(withFile.post(server.uri(path)).header("Origin", origin).build());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(429);
            assertThat(r.body()).contains("too_many_uploads");
          }
        }
        // A fix asked for as JSON carries no file: it is not an upload and is taken while the other one is received.
        HttpResponse<String> json = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models/" + id + "/fix"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"versions\": [\"8.2\"]}"))
            .build());
        assertThat(json.statusCode()).as(json.body()).isEqualTo(202);

        assertThat(first.finish()).startsWith("HTTP/1.1 201 ");
      }
      // The slot is free again: the same request with a file is read (and refused for its content, not for the slot).
      HttpResponse<String> after = server.send(new Multipart().file("inputs", "x.npy", new byte[] {1, 2, 3})
          .post(server.uri("/api/v1/models/" + id + "/fix")).header("Origin", "http://127.0.0.1:" + server.server().port()).build());
      assertThat(after.statusCode()).as(after.body()).isNotEqualTo(429).isBetween(400, 499);
    }
  }

  /** A model upload that has sent its head and part of its body, and holds the rest back until {@link #finish}. */
  private static final class HeldUpload implements AutoCloseable {
    private final Socket socket;
    private final byte[] body;
    private final int sent;

    private HeldUpload(Socket socket, byte[] body, int sent) {
      this.socket = socket;
      this.body = body;
      this.sent = sent;
    }

    /** Starts the upload and returns once the server is receiving it (its files are staged in tmp/). */
    static HeldUpload start(TestServer server, Multipart form) throws Exception {
      byte[] body = form.bytes();
      Socket socket = new Socket("127.0.0.1", server.server().port());
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /api/v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + form.contentType()
          + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      int sent = new String(body, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4 + 10;
      out.write(body, 0, sent);
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (server.tmpEntries() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(server.tmpEntries()).as("the held upload is being received").isPositive();
      return new HeldUpload(socket, body, sent);
    }

    /** Sends the rest of the body and returns the server's whole answer. */
    String finish() throws Exception {
      OutputStream out = socket.getOutputStream();
      out.write(body, sent, body.length - sent);
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  private static String declare(TestServer server, long size) throws Exception {
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(server.uri("/api/v1/uploads"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\": {\"name\": \"m.onnx\", \"size\": " + size + "}}"))
        .build());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestServer.json(r).get("id").asText();
  }

  private static HttpResponse<String> putChunk(TestServer server, String id, byte[] bytes) throws Exception {
    return server.send(HttpRequest.newBuilder(server.uri("/api/v1/uploads/" + id + "/files/m.onnx"))
        .header("Content-Range", "bytes 0-" + (bytes.length - 1) + "/" + bytes.length)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
  }

  @Test
  void thePageFormOverTheSizeLimitIs413AsAPage() throws Exception {
    try (TestServer server = new TestServer(dir, 256 << 10)) {
      byte[] big = TestModels.withInlineWeights(1 << 20);
      HttpResponse<String> withLength = server.send(new Multipart().file("model", "big.onnx", big).post(server.uri("/models")).build());
      Multipart chunked = new Multipart().file("model", "big.onnx", big);
      HttpResponse<String> streamed = server.send(HttpRequest.newBuilder(server.uri("/models"))
          .header("Content-Type", chunked.contentType()).POST(chunked.chunkedPublisher()).build());

      for (HttpResponse<String> r : new HttpResponse[] {withLength, streamed}) {
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(r.body()).contains("data-error=\"upload_too_large\"").contains("256 KiB");
      }
      assertThat(server.storedModels()).isZero();
      assertThat(server.tmpEntries()).isZero();
    }
  }
}
