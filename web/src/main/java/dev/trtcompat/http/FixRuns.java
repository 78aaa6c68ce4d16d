package dev.trtcompat.http;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.fix.FixReport;
import dev.trtcompat.fix.FixRequest;
import dev.trtcompat.fix.GivenInputs;
import dev.trtcompat.fix.ModelFixer;
import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellTask;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoreResult;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.onnx.MappedModelReader;
import dev.trtcompat.quantize.ModelInput;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.service.FixCells;
import dev.trtcompat.service.FixSpec;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The fix cell and what it leaves: checks a fix request before a job is accepted, runs {@link ModelFixer} on a
 * stored model inside a staging area, stores the proven result as a model of its own (content-addressed, like an
 * upload; with its external-data file when the fixer wrote one) and records beside it where it came from and the
 * fix report ({@code derived/fix.json}). A refused or failed fix stores nothing and leaves no file.
 */
final class FixRuns implements FixCells {

  static final String RECORD = "fix.json";
  static final String INPUTS = "fix-inputs";
  private static final String SCRATCH_NAME = "fixed.onnx";

  /**
   * How a stored model was made by fix; the report's {@code source} and {@code output} name files, not server paths.
   */
  record FixRecord(String sourceId, String sourceFileName, long jobId, long cellId, String createdAt,
      FixSpec request, FixReport report) {}

  /** The fix cell's result JSON: enough for the job views and the source model's list of fixes. */
  record FixOutcome(String status, String fixedModelId, String fixedModelUrl, boolean proven, String unprovenReason,
      String refusal, List<String> passesApplied, List<String> summary) {}

  private final ModelStore store;
  private final ModelFixer fixer;

  FixRuns(ModelStore store, ModelFixer fixer) {
    this.store = store;
    this.fixer = fixer;
  }

  /**
   * Refuses a request that cannot run (400 with the reason); nothing is stored or queued. Uploaded proof inputs are
   * checked against the model's inputs (names, types, fixed dimensions, and the request's shapes for dynamic ones).
   */
  void validate(StoredModel model, FixSpec spec) throws IOException {
    Path file = store.modelFile(model.id()).orElseThrow(() -> ModelApi.notFound(model.id()));
    fixer.validate(request(file, file.resolveSibling(SCRATCH_NAME), spec, Map.of()));
    if (spec.inputs() != null) {
      List<ModelInput> inputs = new ArrayList<>();
      Map<String, long[]> shapes = spec.toInputShapes().byName();
      for (ModelInput in : ModelInput.of(MappedModelReader.read(file).getGraph())) {
        long[] fixedShape = shapes.get(in.name());
        inputs.add(fixedShape == null ? in : new ModelInput(in.name(), in.type(), fixedShape));
      }
      ModelInput.check(inputs, givenInputs(model.id(), spec.inputs()), "inputs " + spec.inputs().files(),
          "invalid_inputs");
    }
  }

  /** {@code derived/fix-inputs/UPLOAD} of the source model: where a fix request's proof inputs wait for its cell. */
  Path inputsDir(String sourceId, String upload) throws IOException {
    Path derived = store.derivedDir(sourceId).orElseThrow(() -> ModelApi.notFound(sourceId));
    return derived.resolve(INPUTS).resolve(upload);
  }

  private Map<String, HostTensor> givenInputs(String sourceId, FixSpec.ProofInputs given) throws IOException {
    Path dir = inputsDir(sourceId, given.upload());
    if (!Files.isDirectory(dir)) {
      // A retry of a fix that succeeded: its inputs were removed once the fixed model was stored.
      throw new UserFacingException(Kind.NOT_FOUND, "inputs_not_found", "the proof inputs of this fix were removed"
          + " after it succeeded; start a new fix with the files");
    }
    return GivenInputs.fromFiles(given.files().stream().map(dir::resolve).toList());
  }

  @Override
  public CellResult run(CellTask task, FixSpec spec, CellLog log) throws Exception {
    StoredModel source = store.find(task.modelSha256()).orElseThrow(() -> ModelApi.notFound(task.modelSha256()));
    log.line("fix " + source.fileName() + ": releases " + (spec.versions().isEmpty() ? "all" : spec.versions())
        + ", passes " + (spec.passes().isEmpty() ? "all" : spec.passes())
        + (spec.shapes().isEmpty() ? "" : ", shapes " + spec.shapes()) + "; proof on " + spec.inputsDescription());
    Map<String, HostTensor> given = spec.inputs() == null ? Map.of() : givenInputs(source.id(), spec.inputs());
    try (StagedUpload stage = store.stage(Long.MAX_VALUE)) {
      Path out = stage.scratchFile(SCRATCH_NAME);
      FixReport report = fixer.fix(request(task.modelFile(), out, spec, given));
      report.summary().forEach(s -> log.line("verdict: " + s));
      log.line("passes applied: " + (report.passesApplied().isEmpty() ? "none" : report.passesApplied()));
      if (report.status().equals("refused")) {
        log.line("refused: " + report.refusal());
        return CellResult.failed("refused: " + report.refusal(), json(outcome(report, null)));
      }
      if (task.cancellation().requested()) {
        return CellResult.failed(task.cancellation().reason(), null);
      }
      String name = fixedName(source.fileName());
      stage.adoptModel(name, out);
      // Over 2 GiB, or from a model with external data, the weights are in OUT.data, the name the model records.
      Path data = out.resolveSibling(out.getFileName() + ".data");
      if (Files.isRegularFile(data)) {
        stage.adoptExternal(data.getFileName().toString(), data);
      }
      StoreResult stored = store.add(stage);
      String fixedId = stored.model().id();
      FixReport named = withNames(report, source.fileName(), name);
      writeRecord(fixedId, new FixRecord(source.id(), source.fileName(), task.cell().jobId(), task.cell().id(),
          Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), spec, named));
      log.line("stored " + name + " as model " + fixedId + (report.proven() ? " (proven equivalent)" : " (UNPROVEN)"));
      if (spec.inputs() != null) {
        // The record keeps the file names; the arrays are not needed again (a retry would redo a stored fix).
        StagedUpload.deleteTree(inputsDir(source.id(), spec.inputs().upload()));
      }
      return CellResult.succeeded(json(outcome(report, fixedId)));
    }
  }

  /** The fix record of a model made by fix, or empty for an uploaded one. */
  Optional<FixRecord> record(String modelId) throws IOException {
    if (store.modelFile(modelId).isEmpty()) {
      return Optional.empty();
    }
    Path file = store.derivedDir(modelId).orElseThrow().resolve(RECORD);
    try {
      return Optional.of(Json.mapper().readValue(file.toFile(), FixRecord.class));
    } catch (NoSuchFileException | FileNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The fix outcome a finished fix cell recorded, or null. */
  static FixOutcome outcome(String resultJson) {
    if (resultJson == null) {
      return null;
    }
    try {
      return Json.mapper().readValue(resultJson, FixOutcome.class);
    } catch (IOException e) {
      return null;
    }
  }

  private static FixRequest request(Path model, Path out, FixSpec spec, Map<String, HostTensor> given) {
    return new FixRequest(model, out, spec.versions(), spec.toInputShapes(), spec.passes(), given, FixSpec.SEED);
  }

  private static FixOutcome outcome(FixReport r, String fixedId) {
    return new FixOutcome(r.status(), fixedId, fixedId == null ? null : "/models/" + fixedId, r.proven(),
        r.unprovenReason(), r.refusal(), r.passesApplied(), r.summary());
  }

  /** {@code resnet.onnx} becomes {@code resnet.fixed.onnx}. */
  static String fixedName(String fileName) {
    String stem = fileName.toLowerCase(Locale.ROOT).endsWith(".onnx")
        ? fileName.substring(0, fileName.length() - 5) : fileName;
    return stem + ".fixed.onnx";
  }

  private static FixReport withNames(FixReport r, String source, String output) {
    return new FixReport(source, output, r.sourceSha256(), r.toolVersion(), r.status(), r.refusal(), r.proven(),
        r.unprovenReason(), r.passesApplied(), r.passes(), r.releases(), r.summary(), r.equivalence(), r.notes());
  }

  /** Written beside the fixed model's files via a temporary file and a rename, so a reader never sees half. */
  private void writeRecord(String fixedId, FixRecord record) throws IOException {
    Path dir = store.derivedDir(fixedId).orElseThrow(() -> new IllegalStateException("model " + fixedId + " vanished"));
    Path tmp = Files.createTempFile(dir, "." + RECORD, ".tmp");
    try {
      Json.pretty().writeValue(tmp.toFile(), record);
      try {
        Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, dir.resolve(RECORD), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String json(Object value) throws IOException {
    return Json.mapper().writeValueAsString(value);
  }

  /** The version written into fixed models' metadata: the build's, as {@code trt-compat --version} prints it. */
  static String toolVersion() {
    Properties p = new Properties();
    try (InputStream in = FixRuns.class.getResourceAsStream("/dev/trtcompat/cli/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // the version is informational
    }
    return p.getProperty("version", "unknown");
  }
}
