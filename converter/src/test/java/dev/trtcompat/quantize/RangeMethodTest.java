package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RangeMethodTest {

  @Test
  void minmaxIsTheLargestAbsoluteValue() {
    TensorHistogram h = new TensorHistogram();
    h.add(0.5f, -2.0f, 1.0f);
    h.add(-1.5f, 0f);
    assertThat(RangeMethod.MINMAX.amax(h, 99.99)).isEqualTo(2.0);
    assertThat(h.count()).isEqualTo(5);
    assertThat(h.zeros()).isEqualTo(1);
    assertThat(h.minNonZeroAbs()).isEqualTo(0.5);
  }

  @Test
  void percentileIsTheUpperEdgeOfTheBinReachingIt() {
    TensorHistogram h = new TensorHistogram();
    float[] small = new float[9_999];
    java.util.Arrays.fill(small, 0.001f);
    h.add(10f); // sets the range to [0, 10]: bin width 10/2048
    h.add(small);
    // 99.99% of 10,000 values = 9,999, all in bin 0: the amax is that bin's upper edge.
    assertThat(RangeMethod.PERCENTILE.amax(h, 99.99)).isEqualTo(10.0 / 2048);
    // 100% needs the outlier's bin, the last one.
    assertThat(RangeMethod.PERCENTILE.amax(h, 100)).isEqualTo(10.0);
  }

  @Test
  void histogramWidensByMergingBins() {
    TensorHistogram h = new TensorHistogram();
    h.add(1.0f); // range 1: the value falls in the last bin
    assertThat(h.bins()[2047]).isEqualTo(1);
    h.add(3.0f); // range doubles twice to 4: bins merge in fours
    assertThat(h.range()).isEqualTo(4.0);
    assertThat(h.bins()[511]).isEqualTo(1);
    assertThat(h.bins()[1536]).isEqualTo(1);
    assertThat(h.maxAbs()).isEqualTo(3.0);
    h.add(Float.NaN, Float.POSITIVE_INFINITY);
    assertThat(h.nonFinite()).isEqualTo(2);
    assertThat(h.count()).isEqualTo(2);
  }

  @Test
  void klDivergenceMatchesAHandComputation() {
    // P = [0.5, 0.5], Q = [0.25, 0.75]: 0.5 ln 2 + 0.5 ln(2/3)
    double kl = DirectEntropy.divergence(new double[] {1, 1}, new double[] {1, 3}, 2);
    assertThat(kl).isCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2.0 / 3), within(1e-12));
  }

  @Test
  void theFastSearchAgreesWithTheDirectOne() {
    SplittableRandom r = new SplittableRandom(3);
    for (int round = 0; round < 6; round++) {
      long[] bins = new long[2048];
      int occupied = 100 + r.nextInt(1900);
      for (int j = 0; j < occupied; j++) {
        // decaying counts with gaps, like activations after ReLU
        bins[j] = r.nextInt(4) == 0 ? 0 : (long) (1e6 * Math.exp(-j / (50.0 + 300 * round)));
      }
      bins[2047] += r.nextInt(3); // sometimes an outlier at the top
      assertThat(EntropyThreshold.bestBinCount(bins)).as("round %d", round).isEqualTo(DirectEntropy.bestBinCount(bins));
    }
  }

  @Test
  void entropyKeepsEverythingWhenTheDataFitIn128Levels() {
    // 128 occupied bins, every 16th (0, 16, ..., 2032): clipping below 2033 bins folds mass into the last bin and
    // diverges; from 2033 bins on, each of the 128 levels covers exactly one occupied bin and KL is 0. Those ties all
    // clip nothing, so the smaller wins and the search stops at 2033: the smallest range that clips nothing.
    long[] bins = new long[2048];
    for (int i = 0; i < 2048; i += 16) {
      bins[i] = 100;
    }
    assertThat(EntropyThreshold.bestBinCount(bins)).isEqualTo(2033);
  }

  @Test
  void entropyClipsTheLongTailOfAGaussian() {
    TensorHistogram h = unitGaussian(7, 1_000_000);
    h.add(40f); // one outlier sets the range: minmax would spend 127 levels on [0, 40]
    double entropy = RangeMethod.ENTROPY.amax(h, 99.99);
    double percentile = RangeMethod.PERCENTILE.amax(h, 99.99);
    // A unit Gaussian's 99.99th percentile of |x| is 3.89; the KL threshold of a Gaussian sits at a few sigma.
    assertThat(percentile).isBetween(3.8, 4.0);
    assertThat(entropy).isBetween(2.0, 6.0);
    assertThat(RangeMethod.MINMAX.amax(h, 99.99)).isEqualTo(40.0);
  }

  @Test
  void exactZerosDoNotMoveTheEntropyThreshold() {
    // After a ReLU about half of a tensor is exactly zero. Zero is exact in INT8 at any scale, so the threshold must
    // be the one of the non-zero values alone: here half-normal values, whose KL threshold lies near 4 sigma
    // (slightly below the sample maximum, ~4.4), as for the Gaussian above.
    SplittableRandom r = new SplittableRandom(11);
    float[] positive = new float[500_000];
    for (int i = 0; i < positive.length; i++) {
      positive[i] = (float) Math.abs(gaussian(r));
    }
    TensorHistogram alone = new TensorHistogram();
    alone.add(positive);
    TensorHistogram afterRelu = new TensorHistogram();
    afterRelu.add(positive);
    afterRelu.add(new float[500_000]);
    assertThat(afterRelu.zeros()).isEqualTo(500_000);
    double amax = RangeMethod.ENTROPY.amax(afterRelu, 99.99);
    assertThat(amax).isEqualTo(RangeMethod.ENTROPY.amax(alone, 99.99));
    assertThat(amax).isBetween(3.0, afterRelu.maxAbs());

    // The defect this guards against: with the zeros left in bin 0, Q spreads that spike over the whole first level,
    // a penalty that grows with the candidate's width, and the search clipped at about 2 sigma, where about 4.6% of
    // the non-zero values (a half-normal's tail beyond 2) are clipped by up to 2 sigma each.
    int withSpike = EntropyThreshold.bestBinCount(afterRelu.bins());
    assertThat((withSpike + 0.5) * afterRelu.binWidth()).isLessThan(0.6 * amax);
  }

  @Test
  void entropyOnAFewDiscreteLevelsKeepsEveryLevel() {
    // An input of 17 levels (0, 1, ..., 16, as the pixels of scikit-learn's digits), in the counts of the pattern
    // below: the non-zero values fill every 128th bin. At 129 bins the reference P (everything beyond level 1 folded
    // into bin 128) and its 128-level form Q are the same single bin, so KL is exactly 0; at 2048 bins every level
    // is a bin of its own in both, so KL is 0 up to rounding. Taking the first minimum (the slide's argmin) gave
    // amax 1 and saturated every value from 2 to 16; the tie now goes to the range that clips nothing.
    for (int[] counts : new int[][] {{5, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 6}, {1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1}, {40, 9, 7, 5, 4, 4, 3, 3, 3, 3, 3, 3, 4, 5, 6, 9, 20}}) {
      TensorHistogram h = new TensorHistogram();
      for (int level = 0; level <= 16; level++) {
        float[] v = new float[counts[level] * 97];
        java.util.Arrays.fill(v, level);
        h.add(v);
      }
      double amax = RangeMethod.ENTROPY.amax(h, 99.99);
      assertThat(amax).as(java.util.Arrays.toString(counts)).isEqualTo(16.0);
      long[] nonZero = EntropyThreshold.withoutExactZeros(h.bins(), h.zeros());
      assertThat(EntropyThreshold.bestBinCount(nonZero)).as("the literal search, same tie rule")
          .isEqualTo(DirectEntropy.bestBinCount(nonZero));
      assertThat(QuantizeResult.TensorRange.of("pixels", h, amax).clippedShare()).isZero();
    }
  }

  @Test
  void aRangeThatSaturatesManyValuesGetsANote() {
    // A percentile of 90 (the user's choice) saturates the top tenth of a Gaussian's |x| by construction.
    TensorHistogram h = unitGaussian(3, 200_000);
    double amax = RangeMethod.PERCENTILE.amax(h, 90);
    QuantizeResult.TensorRange range = QuantizeResult.TensorRange.of("act", h, amax);
    assertThat(range.clippedShare()).isBetween(0.095, 0.1);
    QdqPlacement.Plan plan = new QdqPlacement.Plan(Map.of("act", Set.of(0)), Map.of(), List.of());
    assertThat(Quantizer.Prepared.clippingNotes(List.of(range), plan, "percentile 90.0"))
        .singleElement()
        .asString()
        .startsWith("tensor 'act': the percentile 90.0 range (amax 1.64")
        .contains(String.format(java.util.Locale.ROOT, "saturates at least %.1f%% of its non-zero calibration values",
            100 * range.clippedShare()))
        .contains("percentile or minmax");
    // Only quantized tensors matter: one the plan keeps in FP32 is not saturated in the model.
    QdqPlacement.Plan without = new QdqPlacement.Plan(Map.of(), Map.of(), List.of());
    assertThat(Quantizer.Prepared.clippingNotes(List.of(range), without, "percentile 90.0")).isEmpty();
    // minmax never clips
    assertThat(QuantizeResult.TensorRange.of("act", h, RangeMethod.MINMAX.amax(h, 99.99)).clippedShare()).isZero();
  }

  @Test
  void aGaussiansEntropyRangeClipsTooLittleForANote() {
    TensorHistogram h = unitGaussian(7, 1_000_000);
    QuantizeResult.TensorRange range = QuantizeResult.TensorRange.of("x", h, RangeMethod.ENTROPY.amax(h, 99.99));
    // the entropy threshold of a unit Gaussian sits at a few sigma: beyond it lie well under 1% of the values
    assertThat(range.clippedShare()).isGreaterThan(0).isLessThan(Quantizer.CLIPPED_NOTE_SHARE);
    QdqPlacement.Plan plan = new QdqPlacement.Plan(Map.of("x", Set.of(0)), Map.of(), List.of());
    assertThat(Quantizer.Prepared.clippingNotes(List.of(range), plan, "entropy")).isEmpty();
  }

  @Test
  void onlyTheExactZerosLeaveBinZero() {
    long[] bins = new long[2048];
    bins[0] = 10;
    bins[5] = 3;
    long[] left = EntropyThreshold.withoutExactZeros(bins, 7);
    assertThat(left[0]).isEqualTo(3);
    assertThat(left[5]).isEqualTo(3);
    assertThat(bins[0]).as("the caller's histogram is not changed").isEqualTo(10);
    assertThatThrownBy(() -> EntropyThreshold.withoutExactZeros(bins, 11))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** A histogram of {@code n} draws of a unit Gaussian. */
  private static TensorHistogram unitGaussian(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) gaussian(r);
    }
    TensorHistogram h = new TensorHistogram();
    h.add(v);
    return h;
  }

  private static double gaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double w = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w);
  }
}
