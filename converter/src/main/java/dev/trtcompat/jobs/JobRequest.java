package dev.trtcompat.jobs;

import dev.trtcompat.errors.UserFacingException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a client asks for: which model, the request as JSON (shapes, timeout, selections; kept verbatim so
 * the same request can be recognised later) and the cells to run.
 *
 * @param clientId who asked (API token name or remote address); limits are counted per client
 */
public record JobRequest(String modelSha256, String clientId, String requestJson, List<CellRequest> cells) {

  public JobRequest {
    Objects.requireNonNull(modelSha256, "modelSha256");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(requestJson, "requestJson");
    cells = List.copyOf(cells);
    if (cells.isEmpty()) {
      throw new UserFacingException(
          UserFacingException.Kind.BAD_REQUEST, "no_cells", "Select at least one TensorRT release and precision.");
    }
    var seen = new HashSet<CellSpec>();
    for (CellRequest cell : cells) {
      if (!seen.add(cell.spec())) {
        throw new UserFacingException(
            UserFacingException.Kind.BAD_REQUEST, "duplicate_cell", "The cell " + cell.spec() + " is selected twice.");
      }
    }
  }

  /**
   * One cell to create.
   *
   * @param staticIncompatibility why the static check says it cannot convert, or null; such a cell is
   *     created SKIPPED unless {@code force}
   */
  public record CellRequest(CellSpec spec, String staticIncompatibility, boolean force) {

    public CellRequest {
      Objects.requireNonNull(spec, "spec");
    }

    public static CellRequest of(CellSpec spec) {
      return new CellRequest(spec, null, false);
    }

    boolean skipped() {
      return staticIncompatibility != null && !force;
    }
  }
}
