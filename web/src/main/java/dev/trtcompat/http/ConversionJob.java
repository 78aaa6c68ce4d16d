package dev.trtcompat.http;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.trtcompat.conversion.ConversionResult;
import java.time.Instant;
import java.util.Map;

/** One conversion the server runs in the background: its request, state, log so far and result. */
final class ConversionJob {

  /** Where a job is. */
  enum Status {
    QUEUED("queued"), RUNNING("running"), FINISHED("finished"), FAILED("failed");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    @JsonValue
    String wire() {
      return wire;
    }
  }

  /** Keeps the log of a chatty --verbose build from filling the heap; the tail past it is dropped and said so. */
  static final int MAX_LOG_CHARS = 8 * 1024 * 1024;

  final String id;
  final String modelId;
  final String release;
  final String precision;
  final Instant submittedAt = Instant.now();
  private volatile Status status = Status.QUEUED;
  private volatile Instant startedAt;
  private volatile Instant finishedAt;
  private volatile ConversionResult result;
  private volatile Map<String, String> error;
  private final StringBuilder log = new StringBuilder();
  private boolean logTruncated;

  ConversionJob(String id, String modelId, String release, String precision) {
    this.id = id;
    this.modelId = modelId;
    this.release = release;
    this.precision = precision;
  }

  void started() {
    startedAt = Instant.now();
    status = Status.RUNNING;
  }

  void finished(ConversionResult r) {
    result = r;
    finishedAt = Instant.now();
    status = Status.FINISHED;
  }

  void failed(String errorCode, String detail) {
    error = Map.of("error", errorCode, "detail", detail);
    finishedAt = Instant.now();
    status = Status.FAILED;
  }

  synchronized void appendLog(String line) {
    if (logTruncated) {
      return;
    }
    if (log.length() + line.length() + 1 > MAX_LOG_CHARS) {
      log.append("[trt-compat: log truncated at ").append(MAX_LOG_CHARS).append(" characters]\n");
      logTruncated = true;
      return;
    }
    log.append(line).append('\n');
  }

  synchronized String log() {
    return log.toString();
  }

  Status status() {
    return status;
  }

  ConversionResult result() {
    return result;
  }

  /** The body of {@code GET /api/v1/conversions/{id}}. */
  Map<String, Object> view() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("id", id);
    m.put("modelId", modelId);
    m.put("release", release);
    m.put("precision", precision);
    m.put("status", status);
    m.put("submittedAt", submittedAt.toString());
    m.put("startedAt", startedAt == null ? null : startedAt.toString());
    m.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
    m.put("result", result);
    m.put("error", error);
    m.put("logUrl", WebServer.API + "/conversions/" + id + "/log");
    boolean engine = result != null && result.engine() != null;
    m.put("engineUrl", engine ? WebServer.API + "/conversions/" + id + "/engine" : null);
    m.put("validity", engine ? result.engine().validity() : null);
    return m;
  }
}
