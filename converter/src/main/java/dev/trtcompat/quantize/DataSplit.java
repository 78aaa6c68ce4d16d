package dev.trtcompat.quantize;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Which samples calibrate and which measure accuracy, so that accuracy is never measured on the calibration set
 * when a split is possible: every fifth sample (the last one when there are fewer than five) is held out; random
 * data is evaluated on fresh random samples from another seed; a single sample serves both, and says so.
 */
public record DataSplit(List<Integer> calibration, CalibrationSet evalData, List<Integer> evaluation, boolean heldOut, String description) {

  public static DataSplit of(CalibrationSet data, int maxEval) {
    int n = data.size();
    if (data instanceof SyntheticCalibrationSet random) {
      int k = Math.min(n, maxEval);
      return new DataSplit(
          range(n), random.heldOut(k), range(k), true,
          k + " random sample(s) from another seed than calibration (" + random.caveat() + ")");
    }
    if (n == 1) {
      return new DataSplit(
          List.of(0), data, List.of(0), false, "the single calibration sample (no held-out data: give more samples)");
    }
    List<Integer> calib = new ArrayList<>();
    List<Integer> eval = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean hold = n < 5 ? i == n - 1 : i % 5 == 4;
      (hold && eval.size() < maxEval ? eval : calib).add(i);
    }
    return new DataSplit(
        calib, data, eval, true,
        eval.size() + " of " + n + " samples held out from calibration (every fifth)");
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }
}
