package dev.trtcompat.bench;

import dev.trtcompat.rules.KnowledgeBase;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * What the knowledge base adds to start-up: the first {@code KnowledgeBase.bundled()} in this JVM (read, parse
 * and validate every release file, including loading Jackson), wall and thread CPU time, printed as one line
 * for bench/kb-load.sh to collect over fresh JVMs. Usage: KnowledgeBaseLoad.
 */
public final class KnowledgeBaseLoad {

  private KnowledgeBaseLoad() {}

  public static void main(String[] args) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long c = cpu.getCurrentThreadCpuTime();
    long s = System.nanoTime();
    KnowledgeBase kb = KnowledgeBase.bundled();
    double wallMs = (System.nanoTime() - s) / 1e6;
    double cpuMs = (cpu.getCurrentThreadCpuTime() - c) / 1e6;
    long derived = kb.releases().stream().filter(r -> r.isDerived()).count();
    System.out.printf(Locale.ROOT, "releases %d (derived %d) cold load wall %.1f ms thread-cpu %.1f ms%n",
        kb.releases().size(), derived, wallMs, cpuMs);
  }
}
