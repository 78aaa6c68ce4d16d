package dev.trtcompat.bench;

import dev.trtcompat.trtexec.TrtexecLog;
import java.io.IOException;
import java.io.Reader;
import java.util.Locale;

/**
 * How fast {@link TrtexecLog#parse} reads a --verbose trtexec log, and that its memory does not grow with
 * the log: the log is generated on the fly (banner, N verbose tactic lines, warnings, summary, verdict),
 * never held in memory.
 *
 * <p>Usage: {@code TrtexecLogBench [lines=500000] [rounds=3]}; prints lines/s and heap used per round.
 */
public final class TrtexecLogBench {

  private TrtexecLogBench() {}

  public static void main(String[] args) throws IOException {
    long lines = args.length > 0 ? Long.parseLong(args[0]) : 500_000L;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Runtime rt = Runtime.getRuntime();
    for (int r = 1; r <= rounds; r++) {
      System.gc();
      long before = rt.totalMemory() - rt.freeMemory();
      long t0 = System.nanoTime();
      TrtexecLog log = TrtexecLog.parse(new GeneratedLog(lines));
      double seconds = (System.nanoTime() - t0) / 1e9;
      long after = rt.totalMemory() - rt.freeMemory();
      System.out.printf(Locale.ROOT,
          "round %d: %,d lines in %.2f s = %,.0f lines/s; outcome %s; warnings %d; heap delta %.1f MiB%n",
          r, log.linesRead(), seconds, log.linesRead() / seconds, log.outcome().wire(), log.warnings().size(),
          (after - before) / 1048576.0);
    }
  }

  /** A trtexec 10.x style verbose log of the requested length, produced lazily. */
  static final class GeneratedLog extends Reader {
    private static final String[] BODY = {
      "[11/24/2026-10:00:01] [V] [TRT] =============== Computing costs for /layer%d/Conv",
      "[11/24/2026-10:00:01] [V] [TRT] Tactic: 0x%016x Time: 0.0123",
      "[11/24/2026-10:00:01] [I] [TRT] Some tactics do not have sufficient workspace memory to run.",
      "[11/24/2026-10:00:01] [W] [TRT] UNSUPPORTED_STATE: Skipping tactic %d due to insufficient memory on requested size of 2688",
    };
    private final long total;
    private long emitted;
    private String current = "&&&& RUNNING TensorRT.trtexec [TensorRT v101601] [b11] # trtexec --onnx=m.onnx --verbose\n";
    private int pos;

    GeneratedLog(long total) {
      this.total = total;
    }

    @Override
    public int read(char[] buf, int off, int len) {
      int n = 0;
      while (n < len) {
        if (pos == current.length()) {
          if (!next()) {
            break;
          }
        }
        int take = Math.min(len - n, current.length() - pos);
        current.getChars(pos, pos + take, buf, off + n);
        pos += take;
        n += take;
      }
      return n == 0 ? -1 : n;
    }

    private boolean next() {
      emitted++;
      pos = 0;
      if (emitted < total) {
        current = String.format(Locale.ROOT, BODY[(int) (emitted % BODY.length)], emitted % 997) + "\n";
        return true;
      }
      if (emitted == total) {
        current = "[11/24/2026-10:00:09] [I] Engine built in 9.5 sec.\n"
            + "[11/24/2026-10:00:12] [I] Throughput: 100.5 qps\n"
            + "[11/24/2026-10:00:12] [I] GPU Compute Time: min = 1 ms, max = 3 ms, mean = 2 ms, median = 2 ms, "
            + "percentile(90%) = 2.5 ms, percentile(95%) = 2.7 ms, percentile(99%) = 2.9 ms\n"
            + "&&&& PASSED TensorRT.trtexec [TensorRT v101601] [b11] # trtexec --onnx=m.onnx --verbose\n";
        return true;
      }
      return false;
    }

    @Override
    public void close() {}
  }
}
