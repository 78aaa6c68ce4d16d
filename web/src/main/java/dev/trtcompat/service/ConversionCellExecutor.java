package dev.trtcompat.service;

import dev.trtcompat.catalog.EngineBuild;
import dev.trtcompat.catalog.EngineCatalog;
import dev.trtcompat.conversion.ConversionHost;
import dev.trtcompat.conversion.ConversionRequest;
import dev.trtcompat.conversion.ConversionResult;
import dev.trtcompat.conversion.EngineArtifact;
import dev.trtcompat.docker.ContainerLabels;
import dev.trtcompat.jobs.CellExecutor;
import dev.trtcompat.jobs.CellLog;
import dev.trtcompat.jobs.CellResult;
import dev.trtcompat.jobs.CellSpec;
import dev.trtcompat.jobs.CellTask;
import dev.trtcompat.json.Json;
import dev.trtcompat.trtexec.TensorRtRelease;
import dev.trtcompat.trtexec.TrtexecCommand.ShapeRange;
import dev.trtcompat.trtexec.TrtexecLog;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a job's TensorRT conversion cell: trtexec in the release's container, the engine into the engine catalog
 * (under its quota). The cell's result JSON is the {@link ConversionResult} the matrix report reads.
 */
final class ConversionCellExecutor implements CellExecutor {

  private final DockerHost docker;
  private final EngineCatalog engines;

  ConversionCellExecutor(DockerHost docker, EngineCatalog engines) {
    this.docker = docker;
    this.engines = engines;
  }

  @Override
  public CellResult execute(CellTask task, CellLog log) throws Exception {
    JobSpec spec = JobSpec.read(task.requestJson());
    CellSpec cell = task.cell().spec();
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
      catalogue(task, cell, result.engine());
    }
    String json = Json.mapper().writeValueAsString(result);
    if (result.succeeded()) {
      return CellResult.succeeded(json);
    }
    return CellResult.failed(reason(result), json);
  }

  /** Indexes the engine the conversion stored: the catalog's row and quota, the file stays where it is. */
  private void catalogue(CellTask task, CellSpec cell, EngineArtifact a) {
    String digest = a.imageDigests().isEmpty() ? a.imageId() : a.imageDigests().get(0);
    engines.index(new EngineBuild(task.modelSha256(), task.cell().id(), cell.trtRelease(), cell.precision(), digest,
        a.gpuName(), String.join(" ", a.flags()), a.buildTimeSeconds()), a.sha256());
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
}
