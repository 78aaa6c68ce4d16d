package dev.trtcompat.http.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.quantize.QuantizeTestModels;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/v1/models/{id}/quantize} with uploaded JPEG and PNG images and a stated preprocessing, on a real
 * server and the repository's ResNet-18-like export (one input, image FLOAT 1x3x64x64): the result reports image
 * calibration with that preprocessing, the Q/DQ model's input scale is the one that preprocessing gives, and a bad
 * image or images for a model that takes no images is refused with nothing left behind.
 */
class ImageCalibrationRoutesTest {

  static final Path EXPORTS =
      Path.of(System.getProperty("trtcompat.repo", ".."), "compat-matrix/src/test/resources/pytorch-exports");
  static final String MEAN = "0.485,0.456,0.406";
  static final String STD = "0.229,0.224,0.225";

  @TempDir Path data;
  TestServer server;
  String modelId;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
    HttpResponse<String> up = server.uploadModel("resnet18_narrow.onnx",
        Files.readAllBytes(EXPORTS.resolve("classification_resnet18_narrow.onnx")));
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    modelId = TestServer.json(up).get("id").asText();
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /**
   * An 80x70 picture: random pixels with a white and a black 20x20 block (they survive the resize to 64x64), so
   * every image reaches each channel's extremes, 0 and 255.
   */
  static byte[] image(long seed, String format) throws Exception {
    BufferedImage img = new BufferedImage(80, 70, BufferedImage.TYPE_INT_RGB);
    SplittableRandom r = new SplittableRandom(seed);
    for (int y = 0; y < 70; y++) {
      for (int x = 0; x < 80; x++) {
        int rgb = x < 20 && y < 20 ? 0xffffff : x >= 60 && y >= 50 ? 0 : r.nextInt(0x1000000);
        img.setRGB(x, y, rgb);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).isTrue();
    return out.toByteArray();
  }

  private Multipart images(int n) throws Exception {
    Multipart m = new Multipart();
    for (int i = 0; i < n; i++) {
      boolean png = i % 2 == 0;
      m.file("calib", "img" + i + (png ? ".png" : ".jpg"), image(i, png ? "png" : "jpg"));
    }
    return m.text("size", "64x64").text("layout", "NCHW").text("mean", MEAN).text("std", STD).text("scale", "1/255");
  }

  private HttpResponse<String> quantize(String id, Multipart body) throws Exception {
    return server.send(body.post(server.uri("/api/v1/models/" + id + "/quantize")).timeout(Duration.ofSeconds(60))
        .build());
  }

  private JsonNode awaitFinished(String id) throws Exception {
    return QuantizeRoutesTest.awaitFinished(server, id, "quantizations", "quantizations");
  }


  @Test
  void uploadedJpegAndPngImagesCalibrateWithTheStatedPreprocessing() throws Exception {
    HttpResponse<String> r = quantize(modelId, images(6).text("method", "minmax"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonNode q = awaitFinished(modelId);
    assertThat(q.get("state").asText()).as(q.toString()).isEqualTo("succeeded");
    JsonNode images = q.at("/request/images");
    assertThat(images.get("size").asText()).isEqualTo("64x64");
    assertThat(images.get("mean").asText()).isEqualTo(MEAN);
    assertThat(images.get("std").asText()).isEqualTo(STD);
    assertThat(images.get("scale").asText()).isEqualTo("1/255");

    JsonNode result = q.get("result");
    String preprocessing = "64x64 RGB, NCHW, scale 0.00392157, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225]";
    assertThat(result.get("calibration").asText())
        .isEqualTo("6 uploaded file(s): img0.png ... img5.jpg, " + preprocessing);
    assertThat(result.get("synthetic").asBoolean()).isFalse();
    assertThat(result.has("caveat")).isFalse();
    assertThat(result.get("calibrationSamples").asInt()).isEqualTo(5); // img4 is held out (every fifth)
    assertThat(result.at("/accuracy/heldOut").asBoolean()).isTrue();
    assertThat(result.at("/accuracy/samples").asInt()).isEqualTo(1);

    // The input's minmax range is what the stated preprocessing makes of 0 and 255: channel B's
    // (255/255 - 0.406) / 0.225 = 2.64 is the largest magnitude (R's is 2.249, G's 2.429; swapped channels or a
    // missing normalisation give another), so the input's Q/DQ scale is 2.64 / 127.
    HttpResponse<byte[]> file = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(server.uri(result.get("downloadUrl").asText())).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(file.statusCode()).isEqualTo(200);
    ModelProto qdq = ModelProto.parseFrom(file.body());
    TensorProto scale = qdq.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("image_scale"))
        .findFirst().orElseThrow();
    float s = scale.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getFloat();
    assertThat((double) s).isCloseTo((1 - 0.406) / 0.225 / 127, within(1e-6));
    assertThat(qdq.getMetadataPropsList()).anySatisfy(e -> assertThat(e.getValue()).contains(preprocessing));
    assertNothingLeftBehind(modelId, 2);
  }

  @Test
  void anUnreadableImageIsRefusedNamingItAndNothingIsKept() throws Exception {
    HttpResponse<String> r = quantize(modelId,
        images(2).file("calib", "img9.jpg", "plain text, not a JPEG".getBytes()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    JsonNode e = TestServer.json(r);
    assertThat(e.get("error").asText()).isEqualTo("unreadable_image");
    assertThat(e.get("detail").asText()).isEqualTo("calibration image img9.jpg holds text, not a JPEG or PNG image");
    assertNothingLeftBehind(modelId, 1);

    // judged by content: a GIF named .jpg, and a JPEG cut short (which the decoder fills with grey), are refused
    HttpResponse<String> gif = quantize(modelId, images(2).file("calib", "img9.jpg", image(9, "gif")));
    assertThat(gif.statusCode()).as(gif.body()).isEqualTo(400);
    assertThat(TestServer.json(gif).get("detail").asText())
        .isEqualTo("calibration image img9.jpg holds a GIF image, not a JPEG or PNG");
    byte[] jpeg = image(9, "jpg");
    HttpResponse<String> cut = quantize(modelId,
        images(2).file("calib", "img9.jpg", Arrays.copyOf(jpeg, jpeg.length * 7 / 10)));
    assertThat(cut.statusCode()).as(cut.body()).isEqualTo(400);
    assertThat(TestServer.json(cut).get("detail").asText())
        .isEqualTo("calibration image img9.jpg is a truncated or damaged JPEG: it cannot be decoded whole");
    assertNothingLeftBehind(modelId, 1);
  }

  @Test
  void imagesForAModelThatTakesNoImagesAndBadPreprocessingAre400s() throws Exception {
    HttpResponse<String> up = server.uploadModel("residual.onnx", QuantizeTestModels.residualNet());
    String residual = TestServer.json(up).get("id").asText();
    // The residual network's input x is FLOAT 1x4x8x8: four channels, not RGB.
    HttpResponse<String> channels = quantize(residual, images(2));
    assertThat(channels.statusCode()).as(channels.body()).isEqualTo(400);
    assertThat(TestServer.json(channels).get("error").asText()).isEqualTo("invalid_calibration_data");
    assertThat(TestServer.json(channels).get("detail").asText())
        .isEqualTo("input 'x' (1x4x8x8) has 4 channels in NCHW layout; images give 3 (RGB). Is layout right?");
    assertNothingLeftBehind(residual, 2);

    HttpResponse<String> std = quantize(modelId, images(2).text("std", "0.229,0,0.225"));
    assertThat(std.statusCode()).as(std.body()).isEqualTo(400);
    assertThat(TestServer.json(std).get("error").asText()).isEqualTo("invalid_preprocessing");
    assertThat(TestServer.json(std).get("detail").asText()).contains("std value must be above 0");
    HttpResponse<String> size = quantize(modelId, images(2).text("size", "64"));
    assertThat(size.statusCode()).as(size.body()).isEqualTo(400);
    assertThat(TestServer.json(size).get("detail").asText()).contains("'64' is not WIDTHxHEIGHT");
    assertNothingLeftBehind(modelId, 2);
  }

  /** No quantization recorded for {@code id} (or only the finished one), no calibration folder, nothing in tmp. */
  private void assertNothingLeftBehind(String id, long models) throws Exception {
    assertThat(server.storedModels()).isEqualTo(models);
    JsonNode listed = TestServer.json(server.get("/api/v1/models/" + id + "/quantizations")).get("quantizations");
    assertThat(listed.size()).isLessThanOrEqualTo(1);
    listed.forEach(q -> assertThat(q.get("state").asText()).isEqualTo("succeeded"));
    Path orders = data.resolve("models").resolve(id).resolve("derived").resolve("quantize");
    if (Files.exists(orders)) {
      try (Stream<Path> left = Files.list(orders)) {
        assertThat(left).as("no calibration files kept").isEmpty();
      }
    }
    assertThat(server.tmpEntries()).isZero();
  }
}
