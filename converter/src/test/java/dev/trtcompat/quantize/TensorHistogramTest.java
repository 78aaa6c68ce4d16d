package dev.trtcompat.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The histogram's one-pass, branch-free binning must give exactly what the plain definition gives: widen the range
 * to the batch's largest finite |x| first, then bin each finite |x| at {@code (int) (|x| * BINS / range)}, clamped
 * to the last bin. {@link Definition} is that definition written element by element (the loop calibration used
 * before); every test feeds both the same batches and compares every field.
 */
class TensorHistogramTest {

  @Test
  void reluLikeBatchesWithAGrowingRangeBinAsTheDefinition() {
    SplittableRandom r = new SplittableRandom(1);
    TensorHistogram h = new TensorHistogram();
    Definition d = new Definition();
    for (int batch = 0; batch < 12; batch++) {
      double spread = 0.5 * (batch + 1) * (batch % 3 == 0 ? 4 : 1); // some batches widen the range, some do not
      float[] v = new float[30_011];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) Math.max(0, r.nextGaussian() * spread); // half zeros, as after a ReLU
      }
      feed(h, d, v);
      assertSame(h, d);
    }
  }

  @Test
  void signedZerosDenormalsAndExactBinEdgesBinAsTheDefinition() {
    SplittableRandom r = new SplittableRandom(2);
    TensorHistogram h = new TensorHistogram();
    Definition d = new Definition();
    float[] first = {0f, -0f, 0f}; // only zeros: the range stays 0
    feed(h, d, first);
    assertSame(h, d);
    feed(h, d, new float[] {3f, -0f, 1f}); // range 3: 2048 / 3 is not exact in float or double
    assertSame(h, d);
    float[] v = new float[10_000];
    for (int i = 0; i < v.length; i++) {
      v[i] = switch (i % 4) {
        case 0 -> -0f;
        case 1 -> Float.MIN_VALUE * r.nextInt(1, 1000); // denormals
        case 2 -> nearBinEdge(r); // where the product's rounding decides the bin
        default -> (float) Math.max(-3, Math.min(3, r.nextGaussian()));
      };
    }
    feed(h, d, v); // within the range: the one-pass path
    assertSame(h, d);
    float[] huge = new float[1_000];
    for (int i = 0; i < huge.length; i++) {
      huge[i] = Float.MAX_VALUE / r.nextInt(1, 1 << 20); // many doublings at once
    }
    feed(h, d, huge);
    assertSame(h, d);
    feed(h, d, new float[] {1e-3f, -2f, 0f}); // a small batch well inside the range
    assertSame(h, d);
    feed(h, d, new float[0]);
    assertSame(h, d);
  }

  @Test
  void nanAndInfinitiesAreCountedApartAndLeftOutOfTheBins() {
    SplittableRandom r = new SplittableRandom(3);
    TensorHistogram h = new TensorHistogram();
    Definition d = new Definition();
    for (int batch = 0; batch < 4; batch++) {
      float[] v = new float[5_000];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (r.nextGaussian() * (batch + 1));
      }
      if (batch % 2 == 1) {
        v[3] = Float.NaN;
        v[99] = Float.POSITIVE_INFINITY;
        v[4_000] = Float.NEGATIVE_INFINITY;
        v[4_001] = Float.intBitsToFloat(0xffc00001); // a negative NaN with a payload
      }
      feed(h, d, v);
      assertSame(h, d);
    }
    assertThat(h.nonFinite()).isEqualTo(8);
  }

  @Test
  void aDirectBufferIsReadFromItsPositionToItsLimitAndLeftAsItWas() {
    int n = 20_000;
    FloatBuffer direct = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    float[] tail = new float[n - 100 - 7];
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < n; i++) {
      direct.put(i, i < 7 || i >= n - 100 ? 1e6f : (float) r.nextGaussian()); // outside [position, limit): ignored
      if (i >= 7 && i < n - 100) {
        tail[i - 7] = direct.get(i);
      }
    }
    direct.position(7).limit(n - 100);
    TensorHistogram h = new TensorHistogram();
    h.add(direct);
    Definition d = new Definition();
    d.add(tail);
    assertSame(h, d);
    assertThat(direct.position()).isEqualTo(7);
    assertThat(direct.limit()).isEqualTo(n - 100);
  }

  /** A float at, just below or just above the lower edge of a random bin of range 3. */
  private static float nearBinEdge(SplittableRandom r) {
    float edge = (float) (r.nextInt(1, 2048) * 3.0 / 2048);
    return switch (r.nextInt(3)) {
      case 0 -> Math.nextDown(edge);
      case 1 -> Math.nextUp(edge);
      default -> edge;
    };
  }

  private static void feed(TensorHistogram h, Definition d, float[] v) {
    h.add(v);
    d.add(v);
  }

  private static void assertSame(TensorHistogram h, Definition d) {
    assertThat(h.range()).isEqualTo(d.range);
    assertThat(h.maxAbs()).isEqualTo(d.maxAbs);
    assertThat(h.minNonZeroAbs()).isEqualTo(d.minNonZeroAbs);
    assertThat(h.count()).isEqualTo(d.count);
    assertThat(h.zeros()).isEqualTo(d.zeros);
    assertThat(h.nonFinite()).isEqualTo(d.nonFinite);
    assertThat(h.bins()).isEqualTo(d.bins);
  }

  /** The histogram as defined: two element-by-element passes per batch, widening by doubling then binning. */
  private static final class Definition {
    final long[] bins = new long[TensorHistogram.BINS];
    double range;
    double maxAbs;
    double minNonZeroAbs = Double.POSITIVE_INFINITY;
    long count;
    long zeros;
    long nonFinite;

    void add(float[] v) {
      float batchMax = 0;
      for (float x : v) {
        float a = Math.abs(x);
        if (Float.isFinite(a) && a > batchMax) {
          batchMax = a;
        }
      }
      if (batchMax > range) {
        if (range == 0) {
          range = batchMax;
        } else {
          int doublings = 0;
          while (range < batchMax) {
            range *= 2;
            doublings++;
          }
          int factor = 1 << Math.min(doublings, 30); // 2048 or more all merge into bin 0 alike
          long[] old = bins.clone();
          java.util.Arrays.fill(bins, 0);
          for (int i = 0; i < old.length; i++) {
            bins[i / factor] += old[i];
          }
        }
      }
      double perBin = range == 0 ? 0 : TensorHistogram.BINS / range;
      for (float x : v) {
        float a = Math.abs(x);
        if (!Float.isFinite(a)) {
          nonFinite++;
          continue;
        }
        count++;
        if (a == 0) {
          zeros++;
        } else {
          minNonZeroAbs = Math.min(minNonZeroAbs, a);
        }
        bins[Math.min((int) (a * perBin), TensorHistogram.BINS - 1)]++;
      }
      maxAbs = Math.max(maxAbs, batchMax);
    }
  }

  @Test
  void countAboveCountsTheBinsWhollyBeyondAThreshold() {
    TensorHistogram h = new TensorHistogram();
    h.add(0f, 0f, 1f, 2f, 3f, 4f); // range 4: bins of width 1/512; 1 is bin 512, 2 bin 1024, 3 bin 1536, 4 the last
    assertThat(h.countAbove(4)).isZero();
    assertThat(h.countAbove(3.5)).isEqualTo(1);
    assertThat(h.countAbove(2)).as("2 lies in the bin starting at 2: a lower bound counts it").isEqualTo(3);
    assertThat(h.countAbove(2.001)).isEqualTo(2);
    assertThat(h.countAbove(0)).as("bin 0 is never counted: it holds the zeros").isEqualTo(4);
    assertThat(new TensorHistogram().countAbove(0)).isZero();
  }
}
