package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.fix.ModelFixer;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.onnx.ModelBuilder;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.TensorInfo;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.NpyFormat;
import dev.trtcompat.testing.Multipart;
import dev.trtcompat.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Make it convert" in the service: a fix runs as a job cell on the real job system, the proven result is stored as
 * a model of its own with its report and page, it downloads intact, and bad input is a 400 that stores nothing.
 * The model is libonnx-testdata's HardSwish (an operator TensorRT lacks before 8.4), aimed at TensorRT 8.2.
 */
class FixRoutesTest {

  private static final Path HARDSWISH = Path.of("/usr/share/libonnx-testdata/data/node/test_hardswish/model.onnx");

  @TempDir Path data;
  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = new TestServer(data, 64L << 20);
  }

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @Test
  void aFixJobStoresTheProvenModelWithItsReportPageAndDownload() throws Exception {
    String source = upload();
    HttpResponse<String> started = post("/api/v1/models/" + source + "/fix", "{\"versions\": [\"8.2\"]}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode job = TestServer.json(started);
    assertThat(started.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + job.get("id").asLong());
    assertThat(job.get("cells")).hasSize(1);
    assertThat(job.get("cells").get(0).get("kind").asText()).isEqualTo("fix");

    JsonNode cell = finished(job.get("id").asLong()).get("cells").get(0);
    assertThat(cell.get("state").asText()).as(cell.toString()).isEqualTo("succeeded");
    JsonNode result = cell.get("result");
    assertThat(result.get("status").asText()).isEqualTo("fixed");
    assertThat(result.get("proven").asBoolean()).isTrue();
    assertThat(result.get("passesApplied").toString()).contains("decompose-hardswish");
    String fixed = result.get("fixedModelId").asText();
    assertThat(fixed).matches("[0-9a-f]{64}").isNotEqualTo(source);

    // The fixed model is a model of its own, named after its source.
    JsonNode model = TestServer.json(server.get("/api/v1/models/" + fixed));
    assertThat(model.get("fileName").asText()).isEqualTo("hardswish.fixed.onnx");
    assertThat(model.get("summary").toString()).doesNotContain("\"HardSwish\"");

    // Its report: where it came from, verdicts before and after, findings removed, figures of the proof.
    JsonNode record = TestServer.json(server.get("/api/v1/models/" + fixed + "/fix-report"));
    assertThat(record.get("sourceId").asText()).isEqualTo(source);
    JsonNode report = record.get("report");
    assertThat(report.get("source").asText()).isEqualTo("hardswish.onnx");
    assertThat(report.toString()).doesNotContain(data.toString());
    JsonNode release = report.get("releases").get(0);
    assertThat(release.get("tensorrt").asText()).isEqualTo("8.2");
    assertThat(release.get("before").asText()).isEqualTo("incompatible");
    assertThat(release.get("after").asText()).isIn("compatible", "compatible_with_warnings");
    JsonNode hardswishPass = null;
    for (JsonNode p : report.get("passes")) {
      if (p.get("name").asText().equals("decompose-hardswish")) {
        hardswishPass = p;
      }
    }
    assertThat(hardswishPass.get("findingsRemoved").toString()).contains("op.unsupported");
    assertThat(report.get("equivalence").get("outputs").get(0).get("passed").asBoolean()).isTrue();

    // The download is the stored file, carrying the fix's provenance.
    HttpResponse<byte[]> file = bytes("/api/v1/models/" + fixed + "/file");
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"hardswish.fixed.onnx\"");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file.body()));
    assertThat(file.headers().firstValue("X-Model-Sha256")).hasValue(sha);
    assertThat(model.get("sha256").asText()).isEqualTo(sha);
    Path downloaded = Files.write(data.resolve("downloaded.onnx"), file.body());
    OnnxModel read = OnnxModelReader.read(downloaded);
    assertThat(read.metadata()).containsEntry(ModelFixer.META_SOURCE, sha256(Files.readAllBytes(HARDSWISH)));

    // The fixed model's page shows the report; the source's page links to it.
    Document page = Jsoup.parse(server.get("/models/" + fixed).body());
    assertThat(page.select("section#fix #fix-report").attr("data-proven")).isEqualTo("true");
    assertThat(page.select("#fix-source").attr("href")).isEqualTo("/models/" + source);
    assertThat(page.select("#fix-releases tr[data-trt=8.2]").attr("data-before")).isEqualTo("incompatible");
    assertThat(page.select("#fix-passes tr[data-pass=decompose-hardswish]").attr("data-applied")).isEqualTo("true");
    assertThat(page.select("#fix-equivalence tr[data-passed=true]")).hasSize(1);
    assertThat(page.select("a#fixed-download").attr("href")).isEqualTo("/api/v1/models/" + fixed + "/file");
    Document sourcePage = Jsoup.parse(server.get("/models/" + source).body());
    assertThat(sourcePage.select("#fix-report")).isEmpty();
    assertThat(sourcePage.select("#fixes tr[data-state=succeeded] a.fixed-model").attr("href"))
        .isEqualTo("/models/" + fixed);

    // A fix job measures nothing: the matrix still reads the latest measuring job (none here).
    assertThat(TestServer.json(server.get("/api/v1/models/" + source + "/matrix")).get("jobId").isNull()).isTrue();
    assertThat(TestServer.json(server.get("/api/v1/models/" + source + "/fix-report")).get("error").asText())
        .isEqualTo("not_a_fixed_model");
    assertThat(server.tmpEntries()).isZero();
  }

  /**
   * A model whose weights are an external-data file: the fix copies them into the fixed model's own data file, which
   * is stored beside it like an uploaded one and offered for download with the model.
   */
  @Test
  void aModelWithExternalDataIsFixedAndStoredWithItsDataFile() throws Exception {
    ByteBuffer w = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < 16; k++) {
      w.putFloat(k % 5 == 0 ? 1f : 0.25f * (k % 3));
    }
    byte[] weights = w.array();
    ModelBuilder b = ModelBuilder.model().opset("", 14);
    b.graph().input("x", ElementType.FLOAT, 1, 4)
        .initializer(ModelBuilder.external("w", ElementType.FLOAT, "w.bin", 0, 64, 4, 4))
        .node("MatMul", List.of("x", "w"), List.of("m"))
        .node("HardSwish", List.of("m"), List.of("y"))
        .output("y", ElementType.FLOAT, 1, 4);
    HttpResponse<String> up = server.upload(new Multipart().file("model", "ext.onnx", b.build().toByteArray())
        .file("external", "w.bin", weights));
    assertThat(up.statusCode()).as(up.body()).isEqualTo(201);
    String source = TestServer.json(up).get("id").asText();

    HttpResponse<String> started = post("/api/v1/models/" + source + "/fix", "{\"versions\": [\"8.2\"]}");
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode cell = finished(TestServer.json(started).get("id").asLong()).get("cells").get(0);
    assertThat(cell.get("state").asText()).as(cell.toString()).isEqualTo("succeeded");
    assertThat(cell.get("result").get("proven").asBoolean()).isTrue();
    String fixed = cell.get("result").get("fixedModelId").asText();

    JsonNode model = TestServer.json(server.get("/api/v1/models/" + fixed));
    assertThat(model.get("externalFiles")).hasSize(1);
    assertThat(model.get("externalFiles").get(0).get("name").asText()).isEqualTo("fixed.onnx.data");
    Document page = Jsoup.parse(server.get("/models/" + fixed).body());
    String files = "/api/v1/models/" + fixed + "/files/";
    assertThat(page.select("a#fixed-download").attr("href")).isEqualTo(files + "model.onnx");
    assertThat(page.select("a.fixed-external").attr("href")).isEqualTo(files + "fixed.onnx.data");

    // Downloaded side by side, the two files are a complete model whose weights are the uploaded ones.
    Path folder = Files.createDirectories(data.resolve("downloaded"));
    Path onnx = Files.write(folder.resolve("model.onnx"), bytes(files + "model.onnx").body());
    byte[] fixedData = bytes(files + "fixed.onnx.data").body();
    Files.write(folder.resolve("fixed.onnx.data"), fixedData);
    OnnxModel read = OnnxModelReader.read(onnx);
    assertThat(read.externalDataFiles()).containsExactly("fixed.onnx.data");
    assertThat(read.graph().nodes()).extracting(n -> n.getOpType()).doesNotContain("HardSwish");
    TensorInfo t = read.graph().initializers().stream().filter(i -> i.name().equals("w")).findFirst().orElseThrow();
    assertThat(Arrays.copyOfRange(fixedData, (int) t.storedOffset(), (int) (t.storedOffset() + t.storedLength())))
        .isEqualTo(weights);
    assertThat(server.tmpEntries()).isZero();
  }

  @Test
  void badInputIsA400WithTheReasonAndNothingIsStoredOrQueued() throws Exception {
    String source = upload();
    String[][] cases = {
      {"{\"passes\": [\"no-such-pass\"]}", "unknown_pass"},
      {"{\"shapes\": {\"x\": \"1x2\"}}", "invalid_input_shape"},
      {"{\"shapes\": {\"nope\": \"1x2\"}}", "unknown_input"},
      {"{\"shapes\": {\"x\": \"1x3/2x3/4x3\"}}", "invalid_input_shape"},
      {"{\"versions\": [\"6.0\"]}", "unknown_tensorrt_release"},
      {"{\"release\": [\"8.6\"]}", "unknown_field"},
    };
    for (String[] c : cases) {
      HttpResponse<String> r = post("/api/v1/models/" + source + "/fix", c[0]);
      assertThat(r.statusCode()).as(c[0] + " -> " + r.body()).isEqualTo(400);
      assertThat(TestServer.json(r).get("error").asText()).as(c[0]).isEqualTo(c[1]);
      assertThat(TestServer.json(r).get("detail").asText()).as(c[0]).isNotBlank();
    }
    assertThat(TestServer.json(server.get("/api/v1/models/" + source + "/jobs")).get("jobs")).isEmpty();
    assertThat(server.storedModels()).isEqualTo(1);
    assertThat(server.tmpEntries()).isZero();
    assertThat(post("/api/v1/models/" + "0".repeat(64) + "/fix", "{}").statusCode()).isEqualTo(404);
  }

  @Test
  void thePageFormStartsAFixAndComesBackToTheSection() throws Exception {
    String source = upload();
    Document page = Jsoup.parse(server.get("/models/" + source).body());
    assertThat(page.select("section#fix form#fix-form").attr("action")).isEqualTo("/models/" + source + "/fix");
    assertThat(page.select("form#fix-form input[name=passes]").eachAttr("value"))
        .contains("shapes", "fold-constants", "decompose-hardswish", "clean-up");
    assertThat(page.select("form#fix-form input[name=trt]").eachAttr("value")).contains("8.2", "10.0");

    HttpResponse<String> r = form("/models/" + source + "/fix", "trt=8.2&passes=decompose-hardswish%2Cclean-up");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
    assertThat(r.headers().firstValue("Location")).hasValue("/models/" + source + "#fix");
    JsonNode jobs = TestServer.json(server.get("/api/v1/models/" + source + "/jobs")).get("jobs");
    assertThat(jobs).hasSize(1);
    assertThat(jobs.get(0).get("request").get("passes").toString()).isEqualTo("[\"decompose-hardswish\",\"clean-up\"]");
    assertThat(finished(jobs.get(0).get("id").asLong()).get("cells").get(0).get("state").asText()).isEqualTo("succeeded");

    HttpResponse<String> bad = form("/models/" + source + "/fix", "shapes=" + URLEncoder.encode("x:1", StandardCharsets.UTF_8));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(Jsoup.parse(bad.body()).text()).contains("rank");
  }

  @Test
  void anUploadedModelDownloadsAsUploaded() throws Exception {
    String source = upload();
    HttpResponse<byte[]> file = bytes("/api/v1/models/" + source + "/file");
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.body()).isEqualTo(Files.readAllBytes(HARDSWISH));
    assertThat(ModelDownloads.safeName("a \"b\".onnx")).isEqualTo("a__b_.onnx");
    assertThat(ModelDownloads.safeName("..")).isEqualTo("model..");
  }

  /**
   * Proof inputs uploaded with the request. The model gathers rows of a 2x3 table by 16 INT64 indices: seeded random
   * indices (drawn from 0..3) run off the table, so ONNX Runtime cannot run the original and the fix is unproven;
   * the uploaded indices (0 and 1 only) run, so the same fix is proven, and indices that run off the table again
   * make it unproven with ONNX Runtime's reason: the proof runs on the uploaded values, not on random ones.
   */
  @Test
  void uploadedInputsAreCheckedKeptWithTheJobAndTheProofRunsOnThem() throws Exception {
    String source = gatherModel();
    long[] inRange = new long[16];
    for (int i = 0; i < inRange.length; i++) {
      inRange[i] = i % 2;
    }
    HttpResponse<String> started = multipart("/api/v1/models/" + source + "/fix", new Multipart()
        .file("inputs", "sample.npz", npz(HostTensor.ofLongs("idx", new long[] {16}, inRange))).text("trt", "8.6"));
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    JsonNode job = TestServer.json(started);
    assertThat(job.get("request").get("inputs").get("files").toString()).isEqualTo("[\"sample.npz\"]");
    JsonNode cell = finished(job.get("id").asLong()).get("cells").get(0);
    assertThat(cell.get("state").asText()).as(cell.toString()).isEqualTo("succeeded");
    assertThat(cell.get("result").get("proven").asBoolean()).as(cell.toString()).isTrue();
    String fixed = cell.get("result").get("fixedModelId").asText();
    JsonNode report = TestServer.json(server.get("/api/v1/models/" + fixed + "/fix-report"));
    assertThat(report.get("request").get("inputs").get("files").toString()).isEqualTo("[\"sample.npz\"]");
    assertThat(report.get("report").get("equivalence").get("inputs").toString()).contains("idx INT64 [16] (given)");
    Document page = Jsoup.parse(server.get("/models/" + fixed).body());
    assertThat(page.select("#fix-proof-inputs").attr("data-given")).isEqualTo("true");
    assertThat(page.select("#fix-proof-inputs").text()).contains("your inputs (sample.npz)");
    assertThat(page.select("#fix-proof").text()).contains("Proved on your inputs");
    // Kept with the job until it succeeded, then removed: the record names them.
    assertThat(leftInputs()).isZero();

    // The same model on seeded random inputs: ONNX Runtime cannot run the original, so the fix is unproven.
    JsonNode random = finished(TestServer.json(post("/api/v1/models/" + source + "/fix", "{\"versions\": [\"8.6\"]}"))
        .get("id").asLong()).get("cells").get(0);
    assertThat(random.get("result").get("proven").asBoolean()).as(random.toString()).isFalse();
    assertThat(random.get("result").get("unprovenReason").asText()).contains("idx");

    // Uploaded indices that run off the table (a NAME.npy, through the page's form): unproven again.
    long[] outOfRange = inRange.clone();
    outOfRange[7] = 5;
    HttpResponse<String> form = multipart("/models/" + source + "/fix", new Multipart()
        .file("inputs", "idx.npy", npy(HostTensor.ofLongs("idx", new long[] {16}, outOfRange)))
        .text("passes", "clean-up"));
    assertThat(form.statusCode()).as(form.body()).isEqualTo(303);
    JsonNode jobs = TestServer.json(server.get("/api/v1/models/" + source + "/jobs")).get("jobs");
    long newest = 0;
    for (JsonNode j : jobs) {
      newest = Math.max(newest, j.get("id").asLong());
    }
    assertThat(jobs).hasSize(3);
    JsonNode last = finished(newest).get("cells").get(0);
    assertThat(last.get("result").get("proven").asBoolean()).as(last.toString()).isFalse();
    assertThat(last.get("result").get("unprovenReason").asText()).contains("5");
    assertThat(server.tmpEntries()).isZero();
  }

  @Test
  void uploadedInputsThatDoNotFitTheModelAreA400NamingTheInputAndItsShape() throws Exception {
    String source = gatherModel();
    Object[][] cases = {
      {npz(HostTensor.ofLongs("idx", new long[] {4}, 0, 1, 0, 1)), "input 'idx' has shape 4 but the model expects 16"},
      {npz(HostTensor.ofLongs("indices", new long[] {16}, new long[16])), "'indices' matches no input", "idx INT64 16"},
      {npz(HostTensor.ofFloats("idx", new long[] {16}, new float[16])), "'idx' is FLOAT but the model expects INT64 16"},
      {"not a zip".getBytes(StandardCharsets.UTF_8), "sample.npz"},
    };
    for (Object[] c : cases) {
      HttpResponse<String> r = multipart("/api/v1/models/" + source + "/fix",
          new Multipart().text("trt", "8.6").file("inputs", "sample.npz", (byte[]) c[0]));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(TestServer.json(r).get("error").asText()).as(r.body()).isEqualTo("invalid_inputs");
      for (int k = 1; k < c.length; k++) {
        assertThat(TestServer.json(r).get("detail").asText()).contains((String) c[k]);
      }
    }
    HttpResponse<String> wrongKind = multipart("/api/v1/models/" + source + "/fix",
        new Multipart().file("inputs", "idx.txt", new byte[] {1}));
    assertThat(wrongKind.statusCode()).isEqualTo(400);
    assertThat(TestServer.json(wrongKind).get("detail").asText()).contains("NAME.npy");
    // A body that ends inside a file part, before its closing boundary: refused as the other uploads refuse it.
    HttpResponse<String> cut = server.send(HttpRequest.newBuilder(server.uri("/api/v1/models/" + source + "/fix"))
        .header("Content-Type", "multipart/form-data; boundary=cut-here")
        .header("Origin", "http://127.0.0.1:" + server.server().port())
        .POST(HttpRequest.BodyPublishers.ofString("--cut-here\r\nContent-Disposition: form-data; name=\"inputs\";"
            + " filename=\"idx.npy\"\r\nContent-Type: application/octet-stream\r\n\r\n\u0093NUMPY")).build());
    assertThat(cut.statusCode()).as(cut.body()).isEqualTo(400);
    assertThat(TestServer.json(cut).get("error").asText()).as(cut.body()).isEqualTo("malformed_multipart");
    // Refused requests leave no job, no model and no file.
    assertThat(TestServer.json(server.get("/api/v1/models/" + source + "/jobs")).get("jobs")).isEmpty();
    assertThat(server.storedModels()).isEqualTo(1);
    assertThat(leftInputs()).isZero();
    assertThat(server.tmpEntries()).isZero();
  }

  /** {@code y = table[idx]}: a FLOAT 2x3 table, 16 INT64 indices. */
  private String gatherModel() throws Exception {
    ModelBuilder b = ModelBuilder.model().opset("", 13);
    b.graph().input("idx", ElementType.INT64, 16)
        .initializer(ModelBuilder.floats("table", new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
        .node("Gather", List.of("table", "idx"), List.of("y"))
        .output("y", ElementType.FLOAT, 16, 3);
    HttpResponse<String> r = server.uploadModel("gather.onnx", b.build().toByteArray());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestServer.json(r).get("id").asText();
  }

  /** Files left in any model's folder of waiting proof inputs. */
  private long leftInputs() throws Exception {
    try (var s = Files.walk(data)) {
      return s.filter(Files::isRegularFile).filter(p -> p.toString().contains("/" + FixRuns.INPUTS + "/")).count();
    }
  }

  private byte[] npy(HostTensor t) throws Exception {
    Path f = Files.createTempFile(data, "array", ".npy");
    NpyFormat.write(f, t);
    byte[] b = Files.readAllBytes(f);
    Files.delete(f);
    return b;
  }

  /** NumPy's {@code savez}: a zip of {@code NAME.npy} members. */
  private byte[] npz(HostTensor t) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry(t.name() + ".npy"));
      zip.write(npy(t));
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  private HttpResponse<String> multipart(String path, Multipart body) throws Exception {
    return server.send(body.post(server.uri(path)).header("Origin", "http://127.0.0.1:" + server.server().port())
        .build());
  }

  private HttpResponse<byte[]> bytes(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri(path)).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  private String upload() throws Exception {
    HttpResponse<String> r = server.uploadModel("hardswish.onnx", Files.readAllBytes(HARDSWISH));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return TestServer.json(r).get("id").asText();
  }

  private HttpResponse<String> post(String path, String json) throws Exception {
    return server.send(HttpRequest.newBuilder(server.uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());
  }

  private HttpResponse<String> form(String path, String body) throws Exception {
    return server.send(HttpRequest.newBuilder(server.uri(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", "http://127.0.0.1:" + server.server().port())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** Polls the job until no cell has work ahead of it (a fix of this tiny model takes well under a minute). */
  private JsonNode finished(long jobId) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (true) {
      JsonNode job = TestServer.json(server.get("/api/v1/jobs/" + jobId));
      if (job.get("state").asText().equals("finished") || Instant.now().isAfter(deadline)) {
        return job;
      }
      Thread.sleep(100);
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
