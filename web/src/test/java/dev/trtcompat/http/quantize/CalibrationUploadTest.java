package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.quantize.QuantizeTestModels;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calibration upload's multipart reading on a real server ({@code POST /api/v1/models/{id}/quantize}): every
 * malformed, oversized or misnamed body is the 4xx it names, and none leaves a calibration file or a job behind.
 */
class CalibrationUploadTest {

  private static final long MAX_UPLOAD = 256 * 1024;

  @TempDir Path data;
  TestServer server;
  String modelId;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, MAX_UPLOAD);
    HttpResponse<String> up = server.uploadModel("residual.onnx", QuantizeTestModels.residualNet());
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    modelId = TestServer.json(up).get("id").asText();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return server.send(request.timeout(Duration.ofSeconds(60)).build());
  }

  private URI quantizeUri() {
    return server.uri("/api/v1/models/" + modelId + "/quantize");
  }

  private HttpRequest.Builder post() {
    return HttpRequest.newBuilder(quantizeUri());
  }

  private JsonNode refused(HttpResponse<String> r, int status, String error) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    JsonNode e = TestServer.json(r);
    assertThat(e.get("error").asText()).as(r.body()).isEqualTo(error);
    return e;
  }

  @Test
  void anUploadOverTheLimitIsA413WhetherItsLengthIsDeclaredOrOnlyCounted() throws Exception {
    Multipart big = new Multipart().file("calib", "big.npy", new byte[(int) MAX_UPLOAD + 1]);
    JsonNode declared = refused(send(big.post(quantizeUri())), 413,
        "upload_too_large");
    assertThat(declared.get("detail").asText()).contains("calibration upload is larger than " + MAX_UPLOAD);
    JsonNode counted = refused(send(post().header("Content-Type", big.contentType()).POST(big.chunkedPublisher())),
        413, "upload_too_large");
    assertThat(counted.get("detail").asText()).contains("calibration upload is larger than " + MAX_UPLOAD);
    assertNothingKept();
  }

  @Test
  void aBodyCutBeforeItsClosingBoundaryIsMalformedNotAShorterFile() throws Exception {
    Multipart m = new Multipart().file("calib", "sample0.npy", new byte[1000]);
    byte[] whole = m.bytes();
    byte[] cut = Arrays.copyOf(whole, whole.length - 300); // inside the file's bytes
    JsonNode e = refused(send(post().header("Content-Type", m.contentType()).POST(BodyPublishers.ofByteArray(cut))),
        400, "malformed_multipart");
    assertThat(e.get("detail").asText()).contains("before the closing boundary");
    assertNothingKept();
  }

  @Test
  void aBodyThatIsNotMultipartOrHasNoBoundaryIsRefused() throws Exception {
    refused(send(post().header("Content-Type", "application/json").POST(BodyPublishers.ofString("{}"))), 400,
        "not_multipart");
    byte[] noBoundary = "just bytes".getBytes(StandardCharsets.US_ASCII);
    JsonNode e = refused(send(post().header("Content-Type", "multipart/form-data; boundary=xyz")
        .POST(BodyPublishers.ofByteArray(noBoundary))), 400, "malformed_multipart");
    assertThat(e.get("detail").asText()).contains("no multipart boundary");
    assertNothingKept();
  }

  @Test
  void partsOfTheWrongKindOrNameAreRefusedByName() throws Exception {
    assertThat(refused(send(new Multipart().text("calib", "sample0.npz").post(quantizeUri())), 400, "not_a_file")
        .get("detail").asText()).contains("'calib'");
    assertThat(refused(send(new Multipart().file("method", "m.txt", new byte[] {1}).post(quantizeUri())), 400,
        "not_a_text_field").get("detail").asText()).contains("'method'");
    assertThat(refused(send(new Multipart().file("calib", ".hidden.npz", new byte[] {1}).post(quantizeUri())), 400,
        "invalid_file_name").get("detail").asText()).contains(".hidden.npz");
    assertThat(refused(send(new Multipart().file("calib", "a.npy", new byte[] {1}).file("calib", "dir/a.npy",
        new byte[] {2}).post(quantizeUri())), 400, "duplicate_file").get("detail").asText()).contains("a.npy");
    assertThat(refused(send(new Multipart().text("method", "x".repeat(2001)).post(quantizeUri())), 400,
        "invalid_field").get("detail").asText()).contains("'method'", "2000");
    assertNothingKept();
  }

  @Test
  void aBrowsersEmptyFileInputIsNoFile() throws Exception {
    // What a form sends when no file was chosen: a 'calib' part with an empty file name and no bytes.
    Multipart empty = new Multipart().file("calib", "", new byte[0]).text("method", "minmax");
    refused(send(empty.post(quantizeUri())), 400, "calibration_required");
    assertNothingKept();
  }

  private void assertNothingKept() throws Exception {
    assertThat(server.storedModels()).isEqualTo(1);
    Path orders = data.resolve("models").resolve(modelId).resolve("derived").resolve("quantize");
    if (Files.exists(orders)) {
      try (Stream<Path> left = Files.list(orders)) {
        assertThat(left).as("no calibration files kept").isEmpty();
      }
    }
    assertThat(TestServer.json(server.get("/api/v1/models/" + modelId + "/quantizations")).get("quantizations"))
        .isEmpty();
    assertThat(server.tmpEntries()).isZero();
  }
}
