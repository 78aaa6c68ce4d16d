package dev.trtcompat.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.accuracy.AccuracyReport;
import dev.trtcompat.accuracy.Tolerance;
import dev.trtcompat.catalog.ModelCatalog;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.conversion.ConversionResult;
import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellExecutor;
import dev.trtcompat.jobs.CellKind;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellSpec;
import dev.trtcompat.jobs.CellState;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.jobs.JobLimits;
import dev.trtcompat.jobs.JobQueue;
import dev.trtcompat.jobs.JobRequest;
import dev.trtcompat.jobs.JobRequest.CellRequest;
import dev.trtcompat.jobs.JobRunner;
import dev.trtcompat.jobs.JobRunnerConfig;
import dev.trtcompat.jobs.OrphanedCellCleanup;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixApi;
import dev.trtcompat.matrix.MatrixCsv;
import dev.trtcompat.models.FileModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.store.Database;
import dev.trtcompat.store.DatabaseConfig;
import dev.trtcompat.testing.ConversionTestSupport;
import dev.trtcompat.trtexec.ModelNodeMatch;
import dev.trtcompat.trtexec.TrtexecLog;
import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

/**
 * The matrix report (JSON, CSV, page and fragment) over a real SQLite job queue whose real runner executes
 * cells with results built from recorded trtexec logs, for a model whose failing node has a hostile name.
 */
class MatrixReportTest {

  /** Markup, quotes, an ampersand and a comma: what a hostile exporter could name a node. */
  static final String HOSTILE = "<script>alert(\"x&y\")</script>',";
  static final String FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")";

  @TempDir Path dir;
  private FileModelStore store;
  private Database db;
  private JobQueue queue;
  private JobRunner runner;
  private Javalin app;
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch release = new CountDownLatch(1);
  private OnnxModel model;
  private String id;

  @BeforeEach
  void start() throws Exception {
    store = FileModelStore.open(dir.resolve("web"));
    Path jobsDir = dir.resolve("jobs");
    db = Database.open(DatabaseConfig.embedded(jobsDir));
    queue = new JobQueue(db, jobsDir, JobLimits.defaults(), Clock.systemUTC());
    byte[] bytes = ConversionTestSupport.nonZeroModel(84, HOSTILE, "y");
    try (StagedUpload up = store.stage(1 << 20)) {
      up.addModel("nonzero.onnx", new ByteArrayInputStream(bytes));
      id = store.add(up).model().id();
    }
    ModelCatalog catalog = new ModelCatalog(db, jobsDir, Clock.systemUTC());
    assertThat(catalog.register(id, "nonzero.onnx", bytes.length).sha256()).isEqualTo(id);
    model = OnnxModelReader.read(store.modelFile(id).orElseThrow());

    Compatibility compatibility = new Compatibility(store, CompatibilityChecker.bundled());
    CompatibilitySections sections = new CompatibilitySections(compatibility,
        m -> ReferenceView.of(queue.latestCell(m, CellKind.ORT_REFERENCE)).matrixRow(), TensorRtImageCatalog.builtIn(),
        m -> queue.jobsForModel(m).stream().findFirst());
    List<ModelPageSection> page = new ArrayList<>(WebServer.summarySections());
    page.addAll(sections.sections());
    ModelApi models = new ModelApi(store, 1 << 20, page, (ctx, received) -> java.util.Optional.empty());
    MatrixApi matrix = sections.matrix();
    app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.startupWatcherEnabled = false;
      cfg.router.mount(r -> {
        ErrorMapping.register(r);
        r.get("/models/{id}", models::page);
        r.get("/models/{id}/matrix", matrix::fragment);
        r.get(WebServer.API + "/models/{id}/matrix", matrix::json);
        r.get(WebServer.API + "/models/{id}/matrix.csv", matrix::csv);
      });
    }).start("127.0.0.1", 0);
    runner = JobRunner.start(queue, executor(), JobRunnerConfig.defaults("matrix-test").withPoll(Duration.ofMillis(50)),
        OrphanedCellCleanup.NONE, sha -> store.modelFile(sha).orElseThrow());
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    if (runner != null) {
      runner.close();
    }
    if (app != null) {
      app.stop();
    }
    if (db != null) {
      db.close();
    }
    store.close();
  }

  /** Each cell plays a recorded trtexec log; 10.0 INT8 stays running until the test ends. */
  private CellExecutor executor() {
    return (task, log) -> {
      CellSpec s = task.cell().spec();
      String key = s.trtRelease() + " " + s.precision();
      return switch (key) {
        case "8.4 FP32" -> CellResult.succeeded(result("trt8.0-fp32-dynamic-verbose-success.log", s, true, null));
        case "8.6 FP16" -> CellResult.succeeded(result("trt8.5-fp16-plugin-int64warn-success.log", s, true, Boolean.TRUE));
        case "8.6 INT8" -> CellResult.failed("the ONNX parser rejected the model",
            result("trt8.x-nonzero-unsupported-plugin-not-found.log", s, false, null));
        case "12.0 FP32" -> CellResult.succeeded(result("trt10.16-fp32-success.log", s, true, null));
        case "10.0 BEST" -> CellResult.succeeded(result("trt10.14-fp16-build-only-verbose-success.log", s, true, null));
        case "10.0 FP16" -> CellResult.failed(FORMULA, null);
        case "10.0 INT8" -> {
          log.line("[I] building " + HOSTILE);
          release.await(60, TimeUnit.SECONDS);
          yield CellResult.succeeded(null);
        }
        default -> throw new IllegalStateException("unexpected cell " + key);
      };
    };
  }

  /** A ConversionResult as the converter writes it, from a recorded log parsed by the real parser. */
  private String result(String logName, CellSpec s, boolean engine, Boolean accuracy) throws Exception {
    TrtexecLog log = TrtexecLog.parse(new StringReader(ConversionTestSupport.recordedLog(logName)));
    ConversionResult.Outcome outcome = switch (log.outcome()) {
      case SUCCESS -> ConversionResult.Outcome.SUCCESS;
      case PARSE_FAILURE -> ConversionResult.Outcome.PARSE_FAILURE;
      case BUILD_FAILURE -> ConversionResult.Outcome.BUILD_FAILURE;
      default -> ConversionResult.Outcome.ERROR;
    };
    ModelNodeMatch node = log.failingNode() == null ? null : ModelNodeMatch.of(log.failingNode(), model, s.trtRelease());
    String precision = s.precision().name().toLowerCase();
    EngineArtifact artifact = null;
    if (engine) {
      byte[] plan = (logName + s).getBytes(StandardCharsets.UTF_8);
      String gpu = log.gpu() == null ? null : log.gpu().name();
      artifact = new EngineArtifact(sha256(plan), id, s.trtRelease(), "nvcr.io/nvidia/tensorrt:test", "sha256:00", List.of(),
          gpu, null, precision, List.of(), log.buildTimeSeconds(), plan.length, Instant.now().toString(),
          EngineArtifact.validity(s.trtRelease(), gpu, null));
    }
    AccuracyReport acc = accuracy == null ? null : new AccuracyReport(accuracy, Precision.FP16,
        Tolerance.defaults(Precision.FP16), List.of(), List.of(), List.of());
    return Json.mapper().writeValueAsString(new ConversionResult(outcome, s.trtRelease(), precision,
        "nvcr.io/nvidia/tensorrt:test", List.of("--onnx=/model/model.onnx"), outcome == ConversionResult.Outcome.SUCCESS ? 0 : 1,
        3.5, log, node, artifact, acc, null, List.of()));
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static TrtexecLog fixture(String name) throws Exception {
    return TrtexecLog.parse(new StringReader(ConversionTestSupport.recordedLog(name)));
  }

  /**
   * Submits the job and waits until every cell but the blocking one has finished and that one runs. 12.0 stands for
   * a release the job ran that the knowledge base lacks (its log fixture is a 10.16 run).
   */
  private Job runJob() {
    Job job = queue.submit(new JobRequest(id, "test", "{}", List.of(
        conversion("8.4", Precision.FP32), conversion("8.6", Precision.FP16), conversion("8.6", Precision.INT8),
        new CellRequest(CellSpec.conversion("8.4", Precision.INT8), "NonZero needs TensorRT 8.5 or newer", false),
        conversion("12.0", Precision.FP32), conversion("10.0", Precision.BEST), conversion("10.0", Precision.FP16),
        conversion("10.0", Precision.INT8))));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      Job now = queue.requireJob(job.id());
      long done = now.cells().stream().filter(c -> !c.state().unfinished()).count();
      boolean running = now.cells().stream().anyMatch(c -> c.state() == CellState.RUNNING);
      if (done == now.cells().size() - 1 && running) {
        return now;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("job did not settle: " + queue.requireJob(job.id()).cells());
  }

  private static CellRequest conversion(String release, Precision p) {
    return CellRequest.of(CellSpec.conversion(release, p));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode cell(JsonNode matrix, String release, String precision) {
    for (JsonNode row : matrix.get("rows")) {
      if (row.get("tensorrt").asText().equals(release)) {
        for (JsonNode c : row.get("cells")) {
          if (c.get("precision").asText().equals(precision)) {
            return c;
          }
        }
      }
    }
    throw new AssertionError("no cell " + release + " " + precision);
  }

  private Cell jobCell(Job job, String release, Precision p) {
    return job.cells().stream().filter(c -> release.equals(c.spec().trtRelease()) && c.spec().precision() == p)
        .findFirst().orElseThrow();
  }

  @Test
  void jsonCarriesPredictedAndMeasuredFiguresFromTheLatestJob() throws Exception {
    Job job = runJob();
    HttpResponse<String> r = get("/api/v1/models/" + id + "/matrix");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode m = Json.mapper().readTree(r.body());

    assertThat(m.get("modelId").asText()).isEqualTo(id);
    assertThat(m.get("jobId").asLong()).isEqualTo(job.id());
    assertThat(m.get("jobUnfinished").asBoolean()).isTrue();
    assertThat(m.get("precisions")).extracting(JsonNode::asText).containsExactly("fp32", "fp16", "int8", "best");
    List<String> releases = new ArrayList<>();
    m.get("rows").forEach(row -> releases.add(row.get("tensorrt").asText()));
    assertThat(releases).contains("7.0", "8.4", "8.6", "10.0", "10.1").endsWith("12.0");
    JsonNode extra = m.get("rows").get(releases.size() - 1);
    assertThat(extra.get("inKnowledgeBase").asBoolean()).isFalse();
    assertThat(extra.get("verdict").asText()).isEqualTo("unknown");

    TrtexecLog fp32 = fixture("trt8.0-fp32-dynamic-verbose-success.log");
    JsonNode c84 = cell(m, "8.4", "fp32");
    assertThat(c84.at("/predicted/verdict").asText()).isEqualTo("incompatible");
    assertThat(c84.at("/predicted/reasons/0/message").asText()).contains("NonZero");
    assertThat(c84.at("/predicted/reasons/0/nodeIndex").asInt()).isEqualTo(84);
    assertThat(c84.at("/measured/state").asText()).isEqualTo("succeeded");
    assertThat(c84.at("/measured/outcome").asText()).isEqualTo("success");
    assertThat(c84.at("/measured/medianLatencyMs").asDouble()).isEqualTo(fp32.latencyMs().median());
    assertThat(c84.at("/measured/p99LatencyMs").asDouble()).isEqualTo(fp32.latencyMs().p99());
    assertThat(c84.at("/measured/throughputQps").asDouble()).isEqualTo(fp32.throughputQps());
    assertThat(c84.at("/measured/gpu").asText()).isEqualTo(fp32.gpu().name());
    assertThat(c84.at("/contradiction").asText()).startsWith("Predicted incompatible, yet TensorRT 8.4 built an engine");
    String sha = c84.at("/measured/engineSha256").asText();
    assertThat(c84.at("/measured/engineUrl").asText()).isEqualTo("/api/v1/engines/" + sha);
    long cellId = jobCell(job, "8.4", Precision.FP32).id();
    assertThat(c84.at("/measured/cellId").asLong()).isEqualTo(cellId);
    assertThat(c84.at("/measured/logUrl").asText()).isEqualTo("/api/v1/cells/" + cellId + "/log");

    JsonNode c86 = cell(m, "8.6", "fp16");
    TrtexecLog fp16 = fixture("trt8.5-fp16-plugin-int64warn-success.log");
    assertThat(c86.at("/predicted/verdict").asText()).isIn("compatible", "warnings");
    assertThat(c86.at("/measured/buildTimeSeconds").isNull() ? null : c86.at("/measured/buildTimeSeconds").asDouble())
        .isEqualTo(fp16.buildTimeSeconds());
    assertThat(c86.at("/measured/accuracyPassed").asBoolean()).isTrue();
    assertThat(c86.get("contradiction").isNull()).isTrue();

    JsonNode parse = cell(m, "8.6", "int8");
    assertThat(parse.at("/measured/state").asText()).isEqualTo("failed");
    assertThat(parse.at("/measured/outcome").asText()).isEqualTo("parse_failure");
    assertThat(parse.at("/measured/failingNode").asInt()).isEqualTo(84);
    assertThat(parse.at("/measured/engineSha256").isNull()).isTrue();
    assertThat(parse.at("/contradiction").asText()).contains("rejected the model at node #84");
    // INT8 has its own prediction now: no Q/DQ nodes means placeholder scales, a warning on every INT8 cell
    assertThat(parse.at("/predicted/placeholderScales").asBoolean()).isTrue();
    assertThat(parse.at("/predicted/verdict").asText()).isEqualTo("warnings");
    assertThat(parse.at("/predicted/reasons/0/message").asText()).contains("placeholder scales");
    assertThat(m.get("failingNodes")).extracting(JsonNode::asInt).containsExactly(84);

    assertThat(cell(m, "8.4", "int8").at("/measured/state").asText()).isEqualTo("skipped");
    assertThat(cell(m, "8.4", "int8").at("/measured/reason").asText()).isEqualTo("NonZero needs TensorRT 8.5 or newer");
    JsonNode never = cell(m, "10.0", "fp16");
    assertThat(never.at("/measured/reason").asText()).isEqualTo(FORMULA);
    assertThat(never.at("/measured/outcome").isNull()).isTrue();
    assertThat(never.at("/measured/medianLatencyMs").isNull()).isTrue();
    assertThat(cell(m, "10.0", "int8").at("/measured/state").asText()).isEqualTo("running");
    assertThat(cell(m, "10.0", "best").at("/measured/state").asText()).isEqualTo("succeeded");
    assertThat(cell(m, "10.0", "fp32").get("measured").isNull()).isTrue();
    assertThat(cell(m, "12.0", "fp32").at("/measured/medianLatencyMs").asDouble())
        .isEqualTo(fixture("trt10.16-fp32-success.log").latencyMs().median());
    assertThat(m.at("/reference/state").asText()).isEqualTo("none");
  }

  @Test
  void csvHasOneRecordPerReleaseAndPrecisionQuotedAndNeutralised() throws Exception {
    runJob();
    HttpResponse<String> r = get("/api/v1/models/" + id + "/matrix.csv");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    assertThat(r.headers().firstValue("Content-Disposition").orElse("")).isEqualTo("attachment; filename=\"nonzero-matrix.csv\"");
    JsonNode m = Json.mapper().readTree(get("/api/v1/models/" + id + "/matrix").body());

    List<List<String>> records = parseCsv(r.body());
    assertThat(records.get(0)).isEqualTo(MatrixCsv.COLUMNS);
    assertThat(records).allSatisfy(rec -> assertThat(rec).hasSize(MatrixCsv.COLUMNS.size()));
    assertThat(records).hasSize(1 + m.get("rows").size() * 4 + 1);
    assertThat(records.get(records.size() - 1).get(0)).isEqualTo("reference");

    List<String> neverRan = find(records, "10.0", "fp16");
    assertThat(neverRan.get(MatrixCsv.COLUMNS.indexOf("reason"))).isEqualTo("'" + FORMULA);
    assertThat(r.body()).contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"");
    List<String> failed = find(records, "8.6", "int8");
    assertThat(failed.get(MatrixCsv.COLUMNS.indexOf("outcome"))).isEqualTo("parse_failure");
    assertThat(failed.get(MatrixCsv.COLUMNS.indexOf("failing_node"))).isEqualTo("84");
    assertThat(failed.get(MatrixCsv.COLUMNS.indexOf("contradiction"))).contains("node #84");
    List<String> built = find(records, "8.4", "fp32");
    assertThat(Double.parseDouble(built.get(MatrixCsv.COLUMNS.indexOf("median_latency_ms"))))
        .isEqualTo(fixture("trt8.0-fp32-dynamic-verbose-success.log").latencyMs().median());
    assertThat(built.get(MatrixCsv.COLUMNS.indexOf("predicted_reasons"))).contains("NonZero");
    // No field a spreadsheet would evaluate.
    for (List<String> rec : records) {
      assertThat(rec).noneMatch(f -> !f.isEmpty() && "=+-@".indexOf(f.charAt(0)) >= 0);
    }
  }

  private static List<String> find(List<List<String>> records, String release, String precision) {
    return records.stream().filter(r -> r.get(1).equals(release) && r.get(5).equals(precision)).findFirst().orElseThrow();
  }

  /** A strict RFC 4180 reader: quoted fields with doubled quotes, CRLF record ends. */
  static List<List<String>> parseCsv(String text) {
    List<List<String>> out = new ArrayList<>();
    List<String> rec = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    int i = 0;
    boolean quoted = false;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          f.append('"');
          i += 2;
          continue;
        }
        if (c == '"') {
          quoted = false;
        } else {
          f.append(c);
        }
      } else if (c == '"') {
        assertThat(f).as("a quote only opens a field").isEmpty();
        quoted = true;
      } else if (c == ',') {
        rec.add(f.toString());
        f.setLength(0);
      } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
        rec.add(f.toString());
        f.setLength(0);
        out.add(rec);
        rec = new ArrayList<>();
        i += 2;
        continue;
      } else {
        assertThat(c).as("bare line end or quote outside a quoted field").isNotIn('\r', '\n', '"');
        f.append(c);
      }
      i++;
    }
    assertThat(quoted).isFalse();
    assertThat(rec).as("the document ends with CRLF").isEmpty();
    return out;
  }

  @Test
  void gpuParameterFiltersJsonPageAndFragmentAndRefusesUnknownGpus() throws Exception {
    JsonNode any = Json.mapper().readTree(get("/api/v1/models/" + id + "/matrix").body());
    assertThat(any.get("gpu").isNull()).isTrue();
    JsonNode pascal = Json.mapper().readTree(get("/api/v1/models/" + id + "/matrix?gpu=sm_61").body());
    assertThat(pascal.at("/gpu/sm").asText()).isEqualTo("sm_61");
    // 10.1 documents compute capability 7.0 and newer: every column fails on sm_61; 8.6's support is unknown
    assertThat(cell(pascal, "10.1", "fp32").at("/predicted/verdict").asText()).isEqualTo("incompatible");
    assertThat(cell(pascal, "8.6", "fp32").at("/predicted/verdict").asText()).isEqualTo("unknown");
    assertThat(cell(any, "10.1", "fp32").at("/predicted/verdict").asText()).isNotEqualTo("incompatible");

    HttpResponse<String> bad = get("/api/v1/models/" + id + "/matrix?gpu=GTX%209999");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("unknown_gpu").contains("sm_89, 8.9");

    String page = get("/models/" + id + "?gpu=L4").body();
    assertThat(page).contains("<option value=\"L4\" selected>L4 (sm_89)</option>").contains("data-gpu=\"L4\"")
        .contains("Predictions for L4 (compute capability 8.9, Ada Lovelace)");
    assertThat(get("/models/" + id + "/matrix?gpu=8.9").body()).contains("data-gpu=\"sm_89\"");
    assertThat(get("/models/" + id + "?gpu=nope").body()).contains("class=\"error gpu-problem\"");
  }

  @Test
  void pageFollowsTheDomContractAndEscapesHostileNames() throws Exception {
    Job job = runJob();
    HttpResponse<String> r = get("/models/" + id);
    assertThat(r.statusCode()).isEqualTo(200);
    String page = r.body();

    assertThat(page).contains("<section id=\"compatibility\"><h2>TensorRT compatibility</h2><div id=\"matrix-body\"")
        .contains("<table id=\"matrix\" class=\"data matrix\" data-model-id=\"" + id + "\">")
        .contains("<tr id=\"reference-row\"")
        .contains("<script src=\"/assets/model.js\" defer></script>")
        .doesNotContain("<script>alert")
        .doesNotContain(" style=")
        .contains("&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;&#39;,");
    assertThat(Pattern.compile("<tr data-trt=\"[0-9.]+\" data-kb=\"true\"").matcher(page).results().count())
        .isEqualTo(CompatibilityChecker.bundled().knowledgeBase().releases().size());

    String int8 = cellTag(page, "8.6", "int8");
    assertThat(int8).contains("data-predicted=\"warnings\"").contains("data-placeholder-scales=\"true\"")
        .contains("data-state=\"failed\"")
        .contains("data-contradiction=\"true\"");
    String fp32 = cellTag(page, "8.4", "fp32");
    assertThat(fp32).contains("data-predicted=\"incompatible\"").contains("data-state=\"succeeded\"")
        .contains("data-contradiction=\"true\"");
    assertThat(cellTag(page, "8.6", "fp16")).contains("data-state=\"succeeded\"").doesNotContain("data-contradiction");
    assertThat(cellTag(page, "7.0", "fp32")).contains("data-state=\"none\"");
    assertThat(cellTag(page, "12.0", "fp32")).contains("data-predicted=\"unknown\"");
    assertThat(cellTag(page, "10.0", "best")).contains("data-state=\"succeeded\"");

    JsonNode m = Json.mapper().readTree(get("/api/v1/models/" + id + "/matrix").body());
    String sha = cell(m, "8.4", "fp32").at("/measured/engineSha256").asText();
    assertThat(page).contains("<a class=\"engine-download\" href=\"/api/v1/engines/" + sha + "\" data-sha256=\"" + sha + "\" download>");
    assertThat(page).contains("<a class=\"finding-node\" href=\"#node-84\">")
        .contains("<tr id=\"node-84\" class=\"failing-node\"")
        .doesNotContain("<tr id=\"node-83\" class=\"failing-node\"");
    long running = jobCell(job, "10.0", Precision.INT8).id();
    assertThat(page).contains("<pre class=\"cell-log\" data-cell-id=\"" + running + "\" data-log-url=\"/api/v1/cells/" + running + "/log\"></pre>");
    assertThat(page).contains("<p class=\"contradiction\">Predicted compatible, yet TensorRT 8.6&#39;s ONNX parser rejected the model at node #84.</p>");
  }

  /** The start tag of the cell for release x precision. */
  private static String cellTag(String page, String release, String precision) {
    int row = page.indexOf("<tr data-trt=\"" + release + "\"");
    assertThat(row).as("row " + release).isNotNegative();
    int end = page.indexOf("</tr>", row);
    Matcher cell = Pattern.compile("<td class=\"cell\" data-precision=\"" + precision + "\"[^>]*>").matcher(page.substring(row, end));
    assertThat(cell.find()).as("cell " + release + " " + precision).isTrue();
    return cell.group();
  }

  @Test
  void fragmentIsTheSectionBodyWithAWellFormedChart() throws Exception {
    runJob();
    HttpResponse<String> r = get("/models/" + id + "/matrix");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    String fragment = r.body();
    assertThat(fragment).startsWith("<div id=\"matrix-body\" data-model-id=\"" + id + "\"").endsWith("</div>")
        .contains("<table id=\"matrix\"").doesNotContain("<section");

    int start = fragment.indexOf("<svg");
    int end = fragment.indexOf("</svg>") + "</svg>".length();
    assertThat(start).isNotNegative();
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    Document svg = f.newDocumentBuilder().parse(new InputSource(new StringReader(fragment.substring(start, end))));
    assertThat(svg.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
    // Latency bars: 8.4 FP32, 8.6 FP16, 12.0 FP32 (the build-only 10.0 BEST run has no timings); same for throughput.
    assertThat(svg.getElementsByTagNameNS("*", "rect").getLength()).isEqualTo(6);
    List<String> labels = new ArrayList<>();
    var texts = svg.getElementsByTagNameNS("*", "text");
    for (int i = 0; i < texts.getLength(); i++) {
      labels.add(texts.item(i).getTextContent());
    }
    assertThat(labels).contains("8.4 FP32", "8.6 FP16", "12.0 FP32", "Median latency (ms), lower is better");
  }

  @Test
  void withoutAJobEveryCellIsPredictedOnlyAndTheChartSaysSo() throws Exception {
    JsonNode m = Json.mapper().readTree(get("/api/v1/models/" + id + "/matrix").body());
    assertThat(m.get("jobId").isNull()).isTrue();
    assertThat(m.get("precisions")).extracting(JsonNode::asText).containsExactly("fp32", "fp16", "int8");
    m.get("rows").forEach(row -> {
      assertThat(row.get("inKnowledgeBase").asBoolean()).isTrue();
      row.get("cells").forEach(c -> assertThat(c.get("measured").isNull()).isTrue());
    });
    String fragment = get("/models/" + id + "/matrix").body();
    assertThat(fragment).contains("No measured timings yet").doesNotContain("<svg").doesNotContain("data-contradiction")
        .doesNotContain("cell-log");
    List<List<String>> csv = parseCsv(get("/api/v1/models/" + id + "/matrix.csv").body());
    assertThat(csv).hasSize(1 + m.get("rows").size() * 3 + 1);
  }

  @Test
  void unknownModelIs404() throws Exception {
    String unknown = "f".repeat(64);
    HttpResponse<String> json = get("/api/v1/models/" + unknown + "/matrix");
    assertThat(json.statusCode()).isEqualTo(404);
    assertThat(Json.mapper().readTree(json.body()).get("error").asText()).isEqualTo("model_not_found");
    assertThat(get("/api/v1/models/" + unknown + "/matrix.csv").statusCode()).isEqualTo(404);
    assertThat(get("/models/" + unknown + "/matrix").statusCode()).isEqualTo(404);
  }
}
