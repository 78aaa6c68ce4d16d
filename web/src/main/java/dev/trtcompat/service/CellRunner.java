package dev.trtcompat.service;

import dev.trtcompat.catalog.EngineBuild;
import dev.trtcompat.catalog.EngineCatalog;
import dev.trtcompat.conversion.ConversionHost;
import dev.trtcompat.conversion.ConversionRequest;
import dev.trtcompat.conversion.ConversionResult;
import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.docker.ContainerLabels;
import dev.trtcompat.jobs.CellExecutor;
import dev.trtcompat.jobs.CellKind;
import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellSpec;
import dev.trtcompat.jobs.CellTask;
import dev.trtcompat.json.Json;
import dev.trtcompat.trtexec.TensorRtRelease;
import dev.trtcompat.trtexec.TrtexecCommand.ShapeRange;
import dev.trtcompat.trtexec.TrtexecLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one claimed cell of a job: a trtexec conversion in a TensorRT container (the engine goes into the
 * engine catalog, under its quota), the ONNX Runtime CPU reference, or a fix (the web layer stores the fixed model). Its result JSON is what the matrix
 * report reads: a {@link ConversionResult} for conversions, the reference's JSON for the reference cell.
 */
final class CellRunner implements CellExecutor {

  private static final Logger LOG = LoggerFactory.getLogger(CellRunner.class);

  private static final Object CATALOGUING = new Object();

  private final DockerHost docker;
  private final EngineCatalog engines;
  private final ReferenceCells reference;
  private final FixCells fix;

  CellRunner(DockerHost docker, EngineCatalog engines, ReferenceCells reference, FixCells fix) {
    this.docker = docker;
    this.engines = engines;
    this.reference = reference;
    this.fix = fix;
  }

  @Override
  public CellResult execute(CellTask task, CellLog log) throws Exception {
    CellSpec cell = task.cell().spec();
    if (cell.kind() == CellKind.FIX) {
      // A fix job stores its own request (FixSpec), not a measurement's.
      return fix.run(task, FixSpec.read(task.requestJson()), log);
    }
    JobSpec spec = JobSpec.read(task.requestJson());
    return switch (cell.kind()) {
      case FIX -> throw new IllegalStateException("handled above");
      case ORT_REFERENCE -> reference.run(task.modelSha256(), task.modelFile(), optShapes(spec), log);
      case TRT_CONVERSION -> convert(task, spec, cell, log);
    };
  }

  private CellResult convert(CellTask task, JobSpec spec, CellSpec cell, CellLog log) throws Exception {
    Map<String, ShapeRange> shapes = new LinkedHashMap<>();
    spec.shapes().forEach((name, text) -> shapes.put(name, ConversionRequest.shapeRange(text)));
    ConversionRequest request = new ConversionRequest(task.modelFile(), task.modelSha256(),
        TensorRtRelease.parse(cell.trtRelease()), cell.precision(), shapes,
        null, Duration.ofSeconds(spec.timeoutSeconds()), spec.accuracy());
    // The labels let any instance find this container again if this one dies mid-run.
    Map<String, String> labels = Map.of(ContainerLabels.CELL, Long.toString(task.cell().id()),
        ContainerLabels.ATTEMPT, Integer.toString(task.attempt()));
    ConversionHost host = docker.host();
    ConversionResult result = host.service().convert(request, labels, line -> log.line(line.text()));
    if (result.engine() != null) {
      catalogue(host, task, cell, result.engine());
    }
    String json = Json.mapper().writeValueAsString(result);
    if (result.succeeded()) {
      return CellResult.succeeded(json);
    }
    return CellResult.failed(reason(result), json);
  }

  /**
   * Moves the engine from the conversion's scratch store into the catalog, where the quota applies. Two cells
   * may build byte-identical engines at once (same store address): one lock makes the second find the engine
   * catalogued already instead of racing for the scratch file the first one removes.
   */
  private void catalogue(ConversionHost host, CellTask task, CellSpec cell, EngineArtifact a) throws Exception {
    synchronized (CATALOGUING) {
      if (engines.find(a.sha256()).isEmpty()) {
        Path file = host.service().engines().engineFile(a.sha256())
            .orElseThrow(() -> new IllegalStateException("engine " + a.sha256() + " missing right after its build"));
        String digest = a.imageDigests().isEmpty() ? a.imageId() : a.imageDigests().get(0);
        engines.add(new EngineBuild(task.modelSha256(), task.cell().id(), cell.trtRelease(), cell.precision(), digest,
            a.gpuName(), String.join(" ", a.flags()), a.buildTimeSeconds()), file);
      }
      try {
        host.service().engines().delete(a.sha256());
      } catch (Exception e) {
        LOG.warn("engine {} catalogued, but its scratch copy could not be removed", a.sha256(), e);
      }
    }
  }

  /** One line for the matrix cell: what went wrong, where. */
  static String reason(ConversionResult r) {
    TrtexecLog log = r.log();
    StringBuilder b = new StringBuilder(r.outcome().wire().replace('_', ' '));
    if (log != null && log.failingNode() != null) {
      TrtexecLog.FailingNode n = log.failingNode();
      b.append(" at node ").append(n.index());
      if (n.op() != null) {
        b.append(" (").append(n.op()).append(')');
      }
    }
    List<String> errors = log == null ? List.of() : log.errors();
    if (!errors.isEmpty()) {
      String first = errors.get(0);
      b.append(": ").append(first.length() > 300 ? first.substring(0, 300) + "..." : first);
    } else if (!r.notes().isEmpty()) {
      b.append(": ").append(r.notes().get(0));
    }
    return b.toString();
  }

  /** ONNX Runtime runs one shape: the optimal one of each range. */
  private static Map<String, long[]> optShapes(JobSpec spec) {
    Map<String, long[]> out = new LinkedHashMap<>();
    spec.shapes().forEach((name, text) -> out.put(name,
        ConversionRequest.shapeRange(text).opt().stream().mapToLong(Long::longValue).toArray()));
    return out;
  }
}
