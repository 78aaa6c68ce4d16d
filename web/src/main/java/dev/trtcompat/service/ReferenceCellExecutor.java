package dev.trtcompat.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trtcompat.conversion.ConversionRequest;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.jobs.CellExecutor;
import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellTask;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceResult;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job's ONNX Runtime CPU reference cell on the calling (job worker) thread. The cell's result is the JSON
 * of {@code trt-compat run --json} without the server path; the outputs and inputs go to the model's derived
 * folder ({@code derived/reference/}), where conversions with an accuracy check read them.
 */
final class ReferenceCellExecutor implements CellExecutor {

  static final String OUTPUT_DIR = "reference";

  private static final Logger LOG = LoggerFactory.getLogger(ReferenceCellExecutor.class);

  private final ModelStore store;
  /** ONNX Runtime uses every core by default: two runs at once would only spoil both timings. */
  private final ReentrantLock oneRunAtATime = new ReentrantLock();

  ReferenceCellExecutor(ModelStore store) {
    this.store = store;
  }

  @Override
  public CellResult execute(CellTask task, CellLog log) throws Exception {
    JobSpec spec = JobSpec.read(task.requestJson());
    String id = task.modelSha256();
    Path dir = store.derivedDir(id).orElseThrow(() -> new IllegalStateException("model " + id + " is gone"));
    ReferenceRequest request = ReferenceRequest.of(task.modelFile()).withOutDir(dir.resolve(OUTPUT_DIR))
        .withShapes(new InputShapes(optShapes(spec)));
    if (spec.referenceRuns() != null) {
      request = request.withRuns(spec.referenceRuns());
    }
    if (spec.referenceWarmup() != null) {
      request = request.withWarmup(spec.referenceWarmup());
    }
    log.line("ONNX Runtime CPU reference run of " + id);
    oneRunAtATime.lockInterruptibly();
    try {
      // Waiting for the lock may have outlasted the cell: a stopping instance re-queues it instead of running it.
      if (task.cancellation().requested()) {
        throw new CancellationException("not started: " + task.cancellation().reason());
      }
      return run(id, request, log);
    } finally {
      oneRunAtATime.unlock();
    }
  }

  private static CellResult run(String id, ReferenceRequest request, CellLog log) throws IOException {
    ReferenceResult result;
    try {
      result = new ReferenceRunner().run(request);
    } catch (UserFacingException e) {
      log.line("failed: " + e.detail());
      return CellResult.failed(e.detail(), null);
    } catch (RuntimeException | LinkageError e) {
      // A native or unexpected failure ends this cell only; the worker and the server go on.
      LOG.warn("reference run of {} failed", id, e);
      String why = "ONNX Runtime failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      log.line("failed: " + why);
      return CellResult.failed(why, null);
    }
    ObjectNode tree = Json.mapper().valueToTree(result);
    // A path inside the server's data folder: of no use to a client, and not theirs to know.
    tree.remove("referenceDir");
    log.line("finished: " + tree.path("latencyMs"));
    return CellResult.succeeded(Json.mapper().writeValueAsString(tree));
  }

  /** ONNX Runtime runs one shape: the optimal one of each range. */
  static Map<String, long[]> optShapes(JobSpec spec) {
    Map<String, long[]> out = new LinkedHashMap<>();
    spec.shapes().forEach((name, text) -> out.put(name,
        ConversionRequest.shapeRange(text).opt().stream().mapToLong(Long::longValue).toArray()));
    return out;
  }
}
