package dev.trtcompat.jobs;

/**
 * What an executor measured. A run can fail and still have a result worth keeping (the parsed trtexec
 * log of a failed build), hence {@code failed(reason, json)}.
 *
 * @param resultJson the measured outcome as JSON, or null
 */
public record CellResult(boolean succeeded, String reason, String resultJson) {

  public static CellResult succeeded(String resultJson) {
    return new CellResult(true, null, resultJson);
  }

  public static CellResult failed(String reason, String resultJson) {
    return new CellResult(false, reason, resultJson);
  }
}
