package dev.trtcompat.bench;

import dev.trtcompat.rules.KnowledgeBase;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the knowledge base adds to start-up: the first {@code KnowledgeBase.bundled()} in this JVM (read, parse
 * and validate every release file, Jackson class loading and interpretation included), then the same load
 * repeated warm (the part that grows with the number of releases), wall and thread CPU time (the calling thread's;
 * the loader parses on more than one thread, so the process's CPU over the cold load is printed too), as one line
 * for bench/kb-load.sh to collect over fresh JVMs. Usage: KnowledgeBaseLoad [warmReloads=20].
 */
public final class KnowledgeBaseLoad {

  private KnowledgeBaseLoad() {}

  public static void main(String[] args) throws Exception {
    int warm = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long p = os.getProcessCpuTime();
    long c = cpu.getCurrentThreadCpuTime();
    long s = System.nanoTime();
    KnowledgeBase kb = KnowledgeBase.bundled();
    double wallMs = (System.nanoTime() - s) / 1e6;
    double cpuMs = (cpu.getCurrentThreadCpuTime() - c) / 1e6;
    // Every thread of the process: the loader's helper thread, and the JIT compiler threads that compete with it.
    double processMs = (os.getProcessCpuTime() - p) / 1e6;
    // The loader proper is package-private (bundled() caches one instance); call it again to time a full reload.
    Method load = KnowledgeBase.class.getDeclaredMethod("loadBundled");
    load.setAccessible(true);
    double[] warmCpu = new double[warm];
    for (int i = 0; i < warm; i++) {
      long w = cpu.getCurrentThreadCpuTime();
      load.invoke(null);
      warmCpu[i] = (cpu.getCurrentThreadCpuTime() - w) / 1e6;
    }
    Arrays.sort(warmCpu);
    long derived = kb.releases().stream().filter(r -> r.isDerived()).count();
    System.out.printf(Locale.ROOT,
        "releases %d (derived %d) cold load wall %.1f ms thread-cpu %.1f ms warm reload thread-cpu %.1f ms"
            + " process-cpu %.1f ms%n",
        kb.releases().size(), derived, wallMs, cpuMs, warm == 0 ? 0.0 : warmCpu[warm / 2], processMs);
  }
}
