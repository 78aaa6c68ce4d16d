package dev.trtcompat.quantize;

import dev.trtcompat.reference.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * Samples to calibrate (and evaluate) with, read one at a time so that memory does not grow with the set: each
 * sample is one set of arrays by input name, in a stable order.
 */
public interface CalibrationSet {

  int size();

  /** Sample {@code index}, arrays by input name, not yet checked against the model. */
  Map<String, HostTensor> sample(int index, List<ModelInput> inputs);

  /** Names a sample in messages: its file, or "random sample 3". */
  String label(int index);

  /** One line: where the samples come from and how they were made. */
  String description();

  /** SHA-256 over what the samples were made from (file names and bytes, or the generator's settings). */
  String sha256();

  /** True when the samples are random numbers: the scales then say nothing about real data. */
  boolean synthetic();

  /**
   * How samples are made from files when that is more than reading arrays (images: size, layout, scale, mean, std),
   * for a description that names the files another way; null when there is nothing to add.
   */
  default String preprocessing() {
    return null;
  }
}
