package dev.trtcompat.http.quantize;

import dev.trtcompat.quantize.CalibrationSet;
import dev.trtcompat.quantize.ModelInput;
import dev.trtcompat.reference.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * Uploaded calibration files, described without the server's folder (with the preprocessing that made images into
 * samples): the description goes into the Q/DQ model's {@code metadata_props}, the results and the page, and a
 * download must not reveal where the data folder is.
 */
final class UploadedCalibration implements CalibrationSet {

  private final CalibrationSet files;

  UploadedCalibration(CalibrationSet files) {
    this.files = files;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public Map<String, HostTensor> sample(int index, List<ModelInput> inputs) {
    return files.sample(index, inputs);
  }

  @Override
  public String label(int index) {
    return files.label(index);
  }

  @Override
  public String description() {
    int n = size();
    String pre = preprocessing();
    return n + " uploaded file(s): " + label(0) + (n > 1 ? " ... " + label(n - 1) : "")
        + (pre == null ? "" : ", " + pre);
  }

  @Override
  public String preprocessing() {
    return files.preprocessing();
  }

  @Override
  public String sha256() {
    return files.sha256();
  }

  @Override
  public boolean synthetic() {
    return false;
  }
}
