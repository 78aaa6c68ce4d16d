package dev.trtcompat.fix;

/**
 * Where a {@code fix} spends its time: with {@code TRT_COMPAT_FIX_PHASES} set in the environment, each phase's end
 * is printed to stderr as seconds since the fixer's classes loaded, with its thread (the original's ONNX Runtime run
 * and the hash run beside the passes). Off by default; bench/fix-speed.sh turns it on (docs/benchmarks.md).
 */
final class Phase {

  private static final boolean ON = System.getenv("TRT_COMPAT_FIX_PHASES") != null;
  private static final long START = System.nanoTime();

  private Phase() {}

  static void done(String what) {
    if (ON) {
      System.err.printf(java.util.Locale.ROOT, "phase %7.2f s  %s [%s]%n", (System.nanoTime() - START) / 1e9, what,
          Thread.currentThread().getName());
    }
  }
}
