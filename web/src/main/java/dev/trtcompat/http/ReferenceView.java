package dev.trtcompat.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellState;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Optional;

/**
 * A model's ONNX Runtime reference run as {@code GET /api/v1/models/{id}/reference} answers it: read from the
 * model's newest reference cell, so every instance sharing the database answers the same.
 *
 * @param state {@code none} (no reference cell yet) or the cell's state in lower case, an interrupted cell
 *     being {@code queued} again (recovery re-queues it)
 * @param result the JSON of {@code trt-compat run --json}; only when succeeded
 * @param error why it failed (ONNX Runtime's message where it gave one); only when failed or cancelled
 * @param updatedAt ISO-8601 instant of the cell's last change; absent for {@code none}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ReferenceView(String state, JsonNode result, String error, String updatedAt) {

  static final String NONE = "none";

  static ReferenceView of(Optional<Cell> cell) {
    if (cell.isEmpty()) {
      return new ReferenceView(NONE, null, null, null);
    }
    Cell c = cell.get();
    String state = c.state() == CellState.INTERRUPTED ? "queued" : c.state().name().toLowerCase(Locale.ROOT);
    JsonNode result = null;
    if (c.state() == CellState.SUCCEEDED && c.resultJson() != null) {
      try {
        result = Json.mapper().readTree(c.resultJson());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ReferenceView(state, result, c.state() == CellState.SUCCEEDED ? null : c.reason(),
        c.updatedAt().toString());
  }

  /** The same run as the matrix report's reference row. */
  MatrixReport.Reference matrixRow() {
    JsonNode r = result == null ? MissingNode.getInstance() : result;
    JsonNode l = r.path("latencyMs");
    return new MatrixReport.Reference(state,
        l.path("median").isNumber() ? l.path("median").asDouble() : null,
        l.path("p99").isNumber() ? l.path("p99").asDouble() : null,
        r.path("throughputPerSec").isNumber() ? r.path("throughputPerSec").asDouble() : null,
        r.path("threads").isInt() ? r.path("threads").asInt() : null,
        r.path("onnxruntimeVersion").isTextual() ? r.path("onnxruntimeVersion").asText() : null,
        r.path("runs").isInt() ? r.path("runs").asInt() : null, error, updatedAt);
  }
}
