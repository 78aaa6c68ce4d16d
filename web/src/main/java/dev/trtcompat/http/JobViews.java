package dev.trtcompat.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellEvent;
import dev.trtcompat.jobs.CellKind;
import dev.trtcompat.jobs.CellState;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/** The JSON the job routes answer with: a job and its cells as the API documents them (docs/web.md). */
final class JobViews {

  private JobViews() {}

  /** {@code GET /api/v1/jobs/{id}}: state is queued, running (a cell runs) or finished. */
  record JobView(long id, String modelId, String state, String createdAt, JsonNode request, List<CellView> cells,
      String url, String eventsUrl) {}

  /** One cell: kind onnxruntime_reference, tensorrt, quantize, fp16 or fix; engineUrl only while the engine is still stored. */
  record CellView(long id, long jobId, String kind, String tensorrt, String precision, String state, String reason,
      boolean forced, int attempts, String createdAt, String startedAt, String finishedAt, JsonNode result,
      String engineUrl, String logUrl) {}

  /** The event stream's {@code cell} event: a cell changed state ({@code from} is null for a new cell). */
  record CellStateEvent(long eventId, long jobId, long cellId, String from, String to, String reason, String at) {}

  /** The event stream's {@code log} event: one line a running cell printed. */
  record LogLineEvent(long jobId, long cellId, String line) {}

  static CellStateEvent of(CellEvent e) {
    return new CellStateEvent(e.id(), e.jobId(), e.cellId(), e.from() == null ? null : e.from().name(), e.to().name(),
        e.reason(), e.at().toString());
  }

  /** @param stored whether an engine is still in the catalog (the quota may have evicted it) */
  static JobView of(Job job, Predicate<String> stored) {
    String state = !job.unfinished() ? "finished"
        : job.cells().stream().anyMatch(c -> c.state() == CellState.RUNNING) ? "running" : "queued";
    return new JobView(job.id(), job.modelSha256(), state, job.createdAt().toString(), readTree(job.requestJson()),
        job.cells().stream().map(c -> of(c, stored)).toList(), WebServer.API + "/jobs/" + job.id(),
        WebServer.API + "/models/" + job.modelSha256() + "/events");
  }

  static CellView of(Cell c, Predicate<String> stored) {
    JsonNode result = readTree(c.resultJson());
    String engine = result == null ? null : result.path("engine").path("sha256").asText(null);
    return new CellView(c.id(), c.jobId(),
        kind(c.spec().kind()), c.spec().trtRelease(),
        c.spec().precision() == null ? null : c.spec().precision().wireName(),
        c.state().name().toLowerCase(Locale.ROOT), c.reason(), c.forced(), c.attempts(), text(c.createdAt()),
        text(c.startedAt()), text(c.finishedAt()), result,
        engine != null && stored.test(engine) ? WebServer.API + "/engines/" + engine : null,
        WebServer.API + "/cells/" + c.id() + "/log");
  }

  static String kind(CellKind kind) {
    return switch (kind) {
      case ORT_REFERENCE -> "onnxruntime_reference";
      case TRT_CONVERSION -> "tensorrt";
      case QUANTIZE -> "quantize";
      case FP16 -> "fp16";
      case FIX -> "fix";
    };
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  private static JsonNode readTree(String json) {
    if (json == null) {
      return null;
    }
    try {
      return Json.mapper().readTree(json);
    } catch (IOException e) {
      return null;
    }
  }
}
