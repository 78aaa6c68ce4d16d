package dev.trtcompat.conversion;

import dev.trtcompat.accuracy.AccuracyComparison;
import dev.trtcompat.accuracy.AccuracyReport;
import dev.trtcompat.accuracy.Tolerance;
import dev.trtcompat.accuracy.TrtexecInputFiles;
import dev.trtcompat.accuracy.TrtexecOutputJson;
import dev.trtcompat.docker.ContainerRun;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceResult;
import dev.trtcompat.reference.ReferenceRunner;
import dev.trtcompat.trtexec.TrtexecCommand;
import dev.trtcompat.trtexec.TrtexecCommand.ShapeRange;
import dev.trtcompat.trtexec.TrtexecFlag;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accuracy half of a conversion: runs the ONNX Runtime reference before the container starts, hands trtexec
 * the same inputs, and afterwards compares what trtexec exported with the reference. Nothing here fails a
 * conversion: whatever goes wrong becomes a note and a null report.
 */
final class EngineAccuracyCheck {

  private static final Logger LOG = LoggerFactory.getLogger(EngineAccuracyCheck.class);

  static final String INPUTS_DIR = "inputs";
  static final String OUTPUTS_FILE = "outputs.json";

  private final ReferenceCache.Entry reference;
  private final String loadInputsSpec;

  private EngineAccuracyCheck(ReferenceCache.Entry reference, String loadInputsSpec) {
    this.reference = reference;
    this.loadInputsSpec = loadInputsSpec;
  }

  /**
   * Runs the reference (one run, no warm-up, fixed seed) at the shapes the engine will run inference with and
   * writes its inputs under {@code work/inputs}; null with a note when the release or the reference cannot do it.
   */
  static EngineAccuracyCheck prepare(ConversionRequest request, Path work, ReferenceCache cache, List<String> notes) {
    if (!TrtexecFlag.LOAD_INPUTS.offeredIn(request.release())
        || !TrtexecFlag.EXPORT_OUTPUT.offeredIn(request.release())) {
      notes.add("Accuracy not checked: trtexec in TensorRT " + request.release() + " lacks --loadInputs/--exportOutput.");
      return null;
    }
    try {
      ReferenceRequest ref = ReferenceRequest.of(request.model()).withRuns(1).withWarmup(0)
          .withShapes(inferenceShapes(request.shapes()));
      String key = ReferenceCache.key(request.modelSha256(), ref.shapes(), ref.seed());
      ReferenceCache.Entry result = cache.get(key).orElse(null);
      if (result == null) {
        ReferenceResult run = new ReferenceRunner().run(ref);
        result = new ReferenceCache.Entry(run.inputTensors(), run.outputTensors());
        cache.put(key, result);
      }
      Map<String, ElementType> bindings = new LinkedHashMap<>();
      if (request.release().before(10, 0)) {
        // TensorRT before 10.0 has no INT64 binding: its ONNX parser turns INT64 inputs into INT32.
        result.inputs().forEach((name, t) -> {
          if (t.type() == ElementType.INT64) {
            bindings.put(name, ElementType.INT32);
          }
        });
      }
      TrtexecInputFiles.Written written = TrtexecInputFiles.write(work.resolve(INPUTS_DIR),
          ContainerRun.OUTPUT_MOUNT + "/" + INPUTS_DIR, result.inputs().values(), bindings);
      return new EngineAccuracyCheck(result, written.loadInputsSpec());
    } catch (UserFacingException | IOException | IllegalArgumentException e) {
      // Expected for models ONNX Runtime cannot run (the user sees the note): one line, no stack trace.
      LOG.info("reference run for {} failed: {}", request.model(), e instanceof UserFacingException u ? u.detail() : e.toString());
      notes.add("Accuracy not checked: the ONNX Runtime reference could not run the model ("
          + (e instanceof UserFacingException u ? u.detail() : e.getMessage()) + ").");
      return null;
    }
  }

  /** trtexec runs inference at the opt shape of each dynamic input. */
  static InputShapes inferenceShapes(Map<String, ShapeRange> shapes) {
    Map<String, long[]> byName = new LinkedHashMap<>();
    shapes.forEach((name, range) -> byName.put(name, range.opt().stream().mapToLong(Long::longValue).toArray()));
    return new InputShapes(byName);
  }

  void addFlags(TrtexecCommand.Builder command) {
    command.loadInputs(loadInputsSpec).exportOutput(ContainerRun.OUTPUT_MOUNT + "/" + OUTPUTS_FILE);
  }

  /** Reads what trtexec exported and compares it; null with a note when there is nothing readable. */
  AccuracyReport compare(Path work, Precision precision, boolean timingOnly, List<String> notes) {
    Path file = work.resolve(OUTPUTS_FILE);
    if (!Files.isRegularFile(file)) {
      notes.add("Accuracy not checked: trtexec wrote no " + OUTPUTS_FILE + " (--exportOutput).");
      return null;
    }
    Map<String, HostTensor> engineOutputs;
    try {
      engineOutputs = TrtexecOutputJson.readAs(file, reference.outputs());
    } catch (IOException | UserFacingException e) {
      notes.add("Accuracy not checked: " + (e instanceof UserFacingException u ? u.detail() : e.getMessage()));
      return null;
    }
    Precision p = Tolerance.heldTo(precision);
    AccuracyReport report = AccuracyComparison.compare(reference.outputs(), engineOutputs, p, Tolerance.defaults(p));
    if (timingOnly) {
      notes.add("Accuracy not representative: the INT8 engine was built without calibration, so its outputs are"
          + " expected to differ from the reference.");
    }
    return report;
  }

  /** Removes the inputs and exported outputs so they are not stored with the engine. */
  static void cleanUp(Path work) throws IOException {
    EngineStore.deleteTree(work.resolve(INPUTS_DIR));
    Files.deleteIfExists(work.resolve(OUTPUTS_FILE));
  }
}
