package dev.trtcompat.http.quantize;

import dev.trtcompat.http.ModelApi;
import dev.trtcompat.http.Responses;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.quantize.CalibrationSet;
import dev.trtcompat.quantize.ModelFiles;
import dev.trtcompat.quantize.ModelInput;
import dev.trtcompat.quantize.NodeSelection;
import dev.trtcompat.quantize.OptionException;
import dev.trtcompat.service.JobService;
import dev.trtcompat.service.QuantizeCells;
import io.javalin.apibuilder.ApiBuilder;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The quantization and FP16 routes: start an INT8 quantization or an FP16 conversion of a stored model (multipart:
 * calibration files or a random sample count, the INT8 method, nodes kept in FP32, the box output, image
 * preprocessing), and list a model's conversions of each kind and its own origin. The converted model is a stored
 * model of its own, downloaded like any other. The calibration data are checked against the model's inputs before
 * the job is accepted, so a wrong name, type or shape is a 400 naming the input and its expected shape, and such a
 * request leaves nothing behind: no job, no files, no model.
 */
public final class QuantizeRoutes {

  static final String API = "/api/v1";

  private final ModelStore store;
  private final JobService jobs;
  private final Function<Context, String> clientId;
  private final long maxUploadBytes;

  public QuantizeRoutes(ModelStore store, JobService jobs, Function<Context, String> clientId, long maxUploadBytes) {
    this.store = store;
    this.jobs = jobs;
    this.clientId = clientId;
    this.maxUploadBytes = maxUploadBytes;
  }

  /** The cell executor the job service needs before the routes exist (it runs cells queued before a restart). */
  public static QuantizeCells cells(ModelStore store) {
    return new QuantizeRuns(store);
  }

  /** The model page's "Quantize to INT8" section. */
  public QuantizeSection section() {
    return new QuantizeSection(store, jobs);
  }

  /** The model page's "Convert to FP16" section. */
  public Fp16Section fp16Section() {
    return new Fp16Section(store, jobs);
  }

  /** {@code POST /api/v1/models/{id}/quantize}: 202 with the job, {@code Location} its URL. */
  public void start(Context ctx) throws IOException {
    start(ctx, Conversion.INT8);
  }

  /** {@code POST /api/v1/models/{id}/fp16}: 202 with the job, {@code Location} its URL. */
  public void startFp16(Context ctx) throws IOException {
    start(ctx, Conversion.FP16);
  }

  private void start(Context ctx, Conversion conversion) throws IOException {
    Job job = accept(ctx, conversion);
    Cell cell = job.cells().get(0);
    ctx.header("Location", API + "/jobs/" + job.id());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("jobId", job.id());
    body.put("cellId", cell.id());
    body.put("state", cell.state().name().toLowerCase(Locale.ROOT));
    body.put("jobUrl", API + "/jobs/" + job.id());
    body.put(conversion.listKey + "Url", listUrl(conversion, job.modelSha256()));
    body.put("logUrl", API + "/cells/" + cell.id() + "/log");
    json(ctx, 202, body);
  }

  /** Where a model's conversions of this kind are listed: {@code .../quantizations} or {@code .../fp16}. */
  static String listUrl(Conversion conversion, String modelId) {
    return API + "/models/" + modelId + "/" + conversion.listPath;
  }

  /** A converted model's page, its API resource and its download. */
  static String pageUrl(String modelId) {
    return "/models/" + modelId;
  }

  static String modelUrl(String modelId) {
    return API + "/models/" + modelId;
  }

  static String downloadUrl(String modelId) {
    return modelUrl(modelId) + "/files/model.onnx";
  }

  /** {@code POST /models/{id}/quantize}: the page's form; back to the section. */
  public void startForm(Context ctx) throws IOException {
    startForm(ctx, Conversion.INT8);
  }

  /** {@code POST /models/{id}/fp16}: the page's form; back to the section. */
  public void startFp16Form(Context ctx) throws IOException {
    startForm(ctx, Conversion.FP16);
  }

  private void startForm(Context ctx, Conversion conversion) throws IOException {
    Job job = accept(ctx, conversion);
    ctx.redirect("/models/" + job.modelSha256() + "#" + conversion.sectionId, HttpStatus.SEE_OTHER);
  }

  private Job accept(Context ctx, Conversion conversion) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    String upload = UUID.randomUUID().toString();
    Path dir = QuantizeRuns.orderDir(store, conversion, model.id(), upload);
    try {
      CalibrationUpload.Received received =
          CalibrationUpload.receive(ctx.req(), dir.resolve("calib"), maxUploadBytes, conversion);
      QuantizeOrder order = QuantizeOrder.of(upload, received.fields(), received.files(), conversion);
      check(model, order, dir.resolve("calib"));
      return jobs.submitPrecisionConversion(model.id(), model.fileName(), model.bytes(), conversion.cell(),
          order.toJson(), clientId.apply(ctx));
    } catch (OptionException e) {
      StagedUpload.deleteTree(dir);
      throw e.toService(); // the check is the command line's; the words are the form's
    } catch (IOException | RuntimeException e) {
      StagedUpload.deleteTree(dir);
      throw e;
    }
  }

  /**
   * Every calibration sample against the model's inputs (names, types, fixed dimensions), the named box output and
   * the nodes kept in FP32, before anything is accepted. Random samples are checked once: they all have the same
   * shapes.
   */
  private void check(StoredModel model, QuantizeOrder order, Path calib) {
    Path file = store.modelFile(model.id()).orElseThrow(() -> ModelApi.notFound(model.id()));
    ModelProto proto = ModelFiles.load(file);
    List<ModelInput> inputs = ModelInput.of(proto.getGraph());
    CalibrationSet data = order.open(calib);
    int n = data.synthetic() ? 1 : data.size();
    for (int i = 0; i < n; i++) {
      ModelInput.check(inputs, data.sample(i, inputs), data.label(i));
    }
    if (order.boxes() != null) {
      List<String> outputs = proto.getGraph().getOutputList().stream().map(ValueInfoProto::getName).toList();
      if (!outputs.contains(order.boxes())) {
        throw QuantizeOrder.bad("unknown_output", "boxes: the model has no output named '" + order.boxes()
            + "'; its outputs are " + outputs);
      }
    }
    List<String> unmatched = NodeSelection.unmatched(proto.getGraph(), order.exclude());
    if (!unmatched.isEmpty()) {
      throw QuantizeOrder.bad("unknown_exclude", "exclude: " + String.join(", ", unmatched)
          + " matches no node name or operator type of the model");
    }
  }

  /**
   * {@code GET /api/v1/models/{id}/quantizations} and {@code .../fp16}, at each {@link Conversion#listPath} (so that
   * {@link #listUrl} and the route cannot disagree): where this model came from (when it is a Q/DQ or FP16 model made
   * here) and its own conversions of that kind, newest first, with state, progress log and result. Called inside the
   * API's {@code models/{id}} group.
   */
  public void listRoutes() {
    for (Conversion c : Conversion.values()) {
      ApiBuilder.get(c.listPath, ctx -> list(ctx, c));
    }
  }

  private void list(Context ctx, Conversion conversion) throws IOException {
    StoredModel model = model(ctx.pathParam("id"));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("modelId", model.id());
    body.put(conversion.fromKey, QuantizeRuns.link(store, conversion, model.id()).orElse(null));
    List<Map<String, Object>> list = new ArrayList<>();
    for (Job job : jobs.jobsOfOneKind(model.id(), conversion.kind)) {
      Cell c = job.cells().get(0);
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("jobId", job.id());
      q.put("cellId", c.id());
      q.put("state", c.state().name().toLowerCase(Locale.ROOT));
      q.put("reason", c.reason());
      q.put("createdAt", c.createdAt().toString());
      q.put("finishedAt", c.finishedAt() == null ? null : c.finishedAt().toString());
      q.put("request", Json.mapper().readTree(job.requestJson()));
      q.put("logUrl", API + "/cells/" + c.id() + "/log");
      q.put("result", c.resultJson() == null ? null : Json.mapper().readValue(c.resultJson(), conversion.result));
      list.add(q);
    }
    body.put(conversion.listKey, list);
    json(ctx, 200, body);
  }

  private StoredModel model(String id) throws IOException {
    return store.find(id).orElseThrow(() -> ModelApi.notFound(id));
  }


  private static void json(Context ctx, int status, Object body) {
    Responses.json(ctx, status, body);
  }
}
