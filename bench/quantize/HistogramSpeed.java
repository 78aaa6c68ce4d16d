import dev.trtcompat.quantize.TensorHistogram;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Thread CPU time per element of TensorHistogram.add over a direct buffer of 802,816 floats (ResNet-18's first
 * activation, 64x112x112), for ReLU-like data (half exact zeros) and for signed Gaussian data; median of 15 rounds of
 * 20 adds after 10 warm-up rounds; ReLU-like data twice, zeros scattered at random and zeros in runs as on images. Run by bench/quantize/histogram-speed.sh against a build's jars.
 */
public final class HistogramSpeed {

  public static void main(String[] args) {
    int n = 64 * 112 * 112;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (String kind : new String[] {"relu", "relu-runs", "gaussian"}) {
      FloatBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      SplittableRandom r = new SplittableRandom(1);
      double field = 0;
      for (int i = 0; i < n; i++) {
        double g = r.nextGaussian();
        // relu-runs: ReLU of a smooth field (AR(1), rho 0.99), whose sign changes at ~4.5% of the elements, as
        // ResNet-18's first ReLU output on the bench's JPEGs does (zeros in runs of ~20)
        field = 0.99 * field + Math.sqrt(1 - 0.99 * 0.99) * g;
        b.put(i, (float) (kind.equals("relu") ? Math.max(0, g) : kind.equals("relu-runs") ? Math.max(0, field) : g));
      }
      double[] ns = new double[15];
      TensorHistogram h = new TensorHistogram();
      for (int round = -10; round < ns.length; round++) {
        long c = cpu.getCurrentThreadCpuTime();
        for (int k = 0; k < 20; k++) {
          h.add(b);
        }
        if (round >= 0) {
          ns[round] = (cpu.getCurrentThreadCpuTime() - c) / 20.0 / n;
        }
      }
      Arrays.sort(ns);
      System.out.printf(Locale.ROOT, "%-9s %.2f ns/element (thread CPU, median; min %.2f, max %.2f)  bins checksum %d%n",
          kind, ns[ns.length / 2], ns[0], ns[ns.length - 1], Arrays.hashCode(h.bins()));
    }
  }
}
