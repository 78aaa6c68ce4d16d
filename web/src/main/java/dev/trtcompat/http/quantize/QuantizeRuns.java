package dev.trtcompat.http.quantize;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.fp16.Fp16Converter;
import dev.trtcompat.fp16.Fp16Request;
import dev.trtcompat.fp16.Fp16Result;
import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellTask;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StagedUpload;
import dev.trtcompat.models.StoreResult;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.quantize.CalibrationSet;
import dev.trtcompat.quantize.OptionException;
import dev.trtcompat.quantize.Progress;
import dev.trtcompat.quantize.QuantizeRequest;
import dev.trtcompat.quantize.QuantizeResult;
import dev.trtcompat.quantize.Quantizer;
import dev.trtcompat.quantize.SensitivityAnalysis;
import dev.trtcompat.quantize.SensitivityResult;
import dev.trtcompat.service.QuantizeCells;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a quantization or FP16 cell: converts on the order's uploaded files (or random samples) (a quantization runs
 * the per-layer sensitivity analysis when the order asks for it; the model written is then the recommended one),
 * writes the converted model into the order's folder, stores it in the model store under its own content address,
 * links it to its source ({@link Conversion#link} in its derived folder) and removes the order's files. A failure
 * leaves the uploaded files for a retry and no converted model anywhere: the quantizer and the FP16 converter move
 * their output into place only when everything succeeded.
 */
final class QuantizeRuns implements QuantizeCells {

  private static final Logger LOG = LoggerFactory.getLogger(QuantizeRuns.class);

  private final ModelStore store;
  private final int threads;

  QuantizeRuns(ModelStore store) {
    this.store = store;
    this.threads = Math.max(1, Math.min(256, Runtime.getRuntime().availableProcessors()));
  }

  @Override
  public CellResult run(CellTask task, CellLog log) throws Exception {
    try {
      return runOrder(task, log);
    } catch (OptionException e) {
      throw e.toService(); // the cell's reason is read by the service's clients: form fields, not flags
    }
  }

  private CellResult runOrder(CellTask task, CellLog log) throws Exception {
    Conversion conversion = Conversion.of(task.cell().spec().kind());
    QuantizeOrder order = QuantizeOrder.read(task.requestJson());
    String sourceId = task.modelSha256();
    StoredModel source = store.find(sourceId)
        .orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "model_not_found", "the model was deleted"));
    Path work = orderDir(store, conversion, sourceId, order.upload());
    if (order.synthetic() == null && !Files.isDirectory(work.resolve("calib"))) {
      // A retry of a conversion that succeeded: its files were removed once the converted model was stored.
      throw new UserFacingException(Kind.NOT_FOUND, "calibration_not_found", "the calibration files of this"
          + " conversion were removed after it succeeded; start a new one with the files");
    }
    Path outDir = work.resolve("out");
    StagedUpload.deleteTree(outDir);
    Files.createDirectories(outDir);
    try {
      CalibrationSet data = order.open(work.resolve("calib"));
      Path out = outDir.resolve(StagedUpload.MODEL_FILE);
      Object result = conversion == Conversion.FP16
          ? fp16(task, log, order, source, data, out) : quantize(task, log, order, source, data, out);
      // Done: the uploaded files are not needed again (their digest and description are in the result).
      StagedUpload.deleteTree(work);
      return CellResult.succeeded(Json.mapper().writeValueAsString(result));
    } finally {
      StagedUpload.deleteTree(outDir);
    }
  }

  private Quantization quantize(CellTask task, CellLog log, QuantizeOrder order, StoredModel source,
      CalibrationSet data, Path out) throws IOException {
    // random data's description already ends with the caveat (SyntheticCalibrationSet.TIMING_ONLY)
    log.line("quantizing " + source.fileName() + " to INT8 Q/DQ: " + order.method() + ", " + data.description());
    QuantizeRequest request = order.request(task.modelFile(), data, out, threads);
    SensitivityResult sensitivity = null;
    QuantizeResult r;
    if (order.sensitivity() == null) {
      r = new Quantizer().quantize(request, progress(task, log));
    } else {
      SensitivityAnalysis.Options options = order.sensitivity().options();
      log.line("sensitivity analysis " + options.mode().wireName() + ": target error " + options.targetError()
          + " (" + SensitivityAnalysis.METRIC + "), budget " + options.budget().toSeconds() + " s");
      sensitivity = new SensitivityAnalysis().run(request, options, progress(task, log));
      r = sensitivity.model();
      log.line("kept in FP32: " + (sensitivity.keptFp32().isEmpty() ? "none" : String.join(", ",
          sensitivity.keptFp32())) + "; error of the written model " + String.format(Locale.ROOT, "%.4g",
          sensitivity.error()) + ": target " + (sensitivity.targetMet() ? "met" : "NOT met")
          + (sensitivity.complete() ? "" : " (" + sensitivity.stoppedBy() + ")"));
    }
    StoredModel stored = storeModel(out, convertedName(source.fileName(), Conversion.INT8));
    Quantization q = Quantization.of(r, sensitivity, stored.id(), stored.fileName(), source.id(), source.fileName(),
        task.cell().jobId(), task.cell().id());
    writeLink(Conversion.INT8, stored.id(), q);
    LOG.info("model {} is the INT8 Q/DQ quantization of {}", stored.id(), source.id());
    log.line("stored the Q/DQ model as model " + stored.id() + " (" + r.activationsQuantized()
        + " activation(s), " + r.weightsQuantized() + " weight(s) quantized, worst cosine vs FP32 "
        + String.format(Locale.ROOT, "%.6f", r.accuracy().worstCosine()) + ")");
    return q;
  }

  private Fp16Conversion fp16(CellTask task, CellLog log, QuantizeOrder order, StoredModel source,
      CalibrationSet data, Path out) throws IOException {
    Fp16Request request = order.fp16Request(task.modelFile(), data, out, threads);
    // the request's data: random samples flagged in FP16's words (Fp16Converter.TIMING_ONLY), not INT8's
    log.line("converting " + source.fileName() + " to FP16 / mixed precision: statistics from "
        + request.data().description()
        + (order.exclude().isEmpty() ? "" : "; kept in FP32 as asked: " + String.join(", ", order.exclude())));
    Fp16Result r = new Fp16Converter().convert(request, progress(task, log));
    StoredModel stored = storeModel(out, convertedName(source.fileName(), Conversion.FP16));
    Fp16Conversion c = Fp16Conversion.of(r, data.sha256(), stored.id(), stored.fileName(), source.id(),
        source.fileName(), task.cell().jobId(), task.cell().id());
    writeLink(Conversion.FP16, stored.id(), c);
    LOG.info("model {} is the FP16 conversion of {}", stored.id(), source.id());
    log.line("stored the FP16 model as model " + stored.id() + " (" + r.fp16Nodes() + " node(s) in FP16, "
        + r.fp32Nodes() + " kept in FP32, worst cosine vs FP32 "
        + String.format(Locale.ROOT, "%.6f", r.accuracy().worstCosine()) + ")");
    return c;
  }

  /** {@code derived/quantize/UPLOAD} (or {@code derived/fp16/UPLOAD}) of the source model: where an order's files wait. */
  static Path orderDir(ModelStore store, Conversion conversion, String sourceId, String upload) throws IOException {
    Path derived = store.derivedDir(sourceId)
        .orElseThrow(() -> new UserFacingException(Kind.NOT_FOUND, "model_not_found", "the model was deleted"));
    return derived.resolve(conversion.ordersFolder).resolve(upload);
  }

  /** The link from a converted model back to its source, if it was made here by this conversion. */
  static <T> Optional<T> link(ModelStore store, Conversion conversion, String modelId) throws IOException {
    Optional<Path> derived = store.derivedDir(modelId);
    if (derived.isEmpty() || !Files.isRegularFile(derived.get().resolve(conversion.link))) {
      return Optional.empty();
    }
    @SuppressWarnings("unchecked")
    T linked = (T) Json.mapper().readValue(derived.get().resolve(conversion.link).toFile(), conversion.result);
    return Optional.of(linked);
  }

  private Progress progress(CellTask task, CellLog log) {
    return new Progress() {
      private String phase;
      private int lastTenth = -1;

      @Override
      public void report(String p, int done, int total) {
        report(p, done, total, null);
      }

      @Override
      public void report(String p, int done, int total, Duration budgetLeft) {
        if (task.cancellation().requested() || Thread.currentThread().isInterrupted()) {
          throw new UserFacingException(Kind.UNAVAILABLE, "cancelled", "cancelled: " + task.cancellation().reason());
        }
        // One line per tenth of each phase: enough for a progress display, not a flood of log lines.
        int tenth = total <= 0 ? 10 : done * 10 / total;
        if (!p.equals(phase) || tenth != lastTenth) {
          phase = p;
          lastTenth = tenth;
          log.line(p + " " + done + "/" + total + (budgetLeft == null ? "" : " (" + Progress.budgetLeft(budgetLeft) + ")"));
        }
      }
    };
  }

  private StoredModel storeModel(Path out, String name) throws IOException {
    try (StagedUpload staged = store.stage(Long.MAX_VALUE)) {
      try (InputStream in = Files.newInputStream(out)) {
        staged.addModel(name, in);
      }
      // Above 1.8 GiB of weights the quantizer writes them as external data beside the model.
      Path data = out.resolveSibling(out.getFileName() + ".data");
      if (Files.isRegularFile(data)) {
        try (InputStream in = Files.newInputStream(data)) {
          staged.addExternal(data.getFileName().toString(), in);
        }
      }
      StoreResult stored = store.add(staged);
      return stored.model();
    }
  }

  private void writeLink(Conversion conversion, String modelId, Object result) throws IOException {
    Path derived = store.derivedDir(modelId).orElseThrow();
    Path part = derived.resolve(conversion.link + ".part");
    Files.write(part, Json.pretty().writeValueAsBytes(result));
    Files.move(part, derived.resolve(conversion.link), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** {@code resnet.onnx} becomes {@code resnet.int8.onnx} (or {@code resnet.fp16.onnx}). */
  static String convertedName(String fileName, Conversion conversion) {
    String base = fileName.toLowerCase(Locale.ROOT).endsWith(".onnx")
        ? fileName.substring(0, fileName.length() - 5) : fileName;
    return base + conversion.suffix;
  }
}
