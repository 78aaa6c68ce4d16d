package dev.trtcompat.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The state of a model's ONNX Runtime reference run, as {@code GET /api/v1/models/{id}/reference} answers it
 * and as it is kept in {@code derived/reference.json}.
 *
 * @param state {@code none}, {@code queued}, {@code running}, {@code succeeded} or {@code failed}
 * @param result the JSON of {@code trt-compat run --json}; only when succeeded
 * @param error why it failed (ONNX Runtime's message where it gave one); only when failed
 * @param updatedAt ISO-8601 instant of the last change
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ReferenceState(String state, JsonNode result, String error, String updatedAt) {

  static final String NONE = "none";
  static final String QUEUED = "queued";
  static final String RUNNING = "running";
  static final String SUCCEEDED = "succeeded";
  static final String FAILED = "failed";

  static ReferenceState of(String state) {
    return new ReferenceState(state, null, null, Instant.now().toString());
  }

  boolean inFlight() {
    return QUEUED.equals(state) || RUNNING.equals(state);
  }
}
