package dev.trtcompat.bench;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.onnx.OnnxModel;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times the static checker over every release of the knowledge base for a generated detection-class graph,
 * after parsing: median (and p90) of repeated runs in one JVM. Usage: CheckSpeed [nodes] [runs] [warmup].
 */
public final class CheckSpeed {

  private CheckSpeed() {}

  public static void main(String[] args) throws Exception {
    int target = args.length > 0 ? Integer.parseInt(args[0]) : 1400;
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    ModelProto proto = DetectionGraph.build(target);
    Path dir = Files.createTempDirectory("trtcompat-bench");
    Path file = dir.resolve("detector.onnx");
    Files.write(file, proto.toByteArray());
    long t0 = System.nanoTime();
    OnnxModel model = OnnxModelReader.read(file);
    double parseMs = (System.nanoTime() - t0) / 1e6;
    CompatibilityChecker checker = CompatibilityChecker.bundled();
    CompatibilityReport first = null;
    for (int i = 0; i < warmup; i++) {
      first = checker.check(model);
    }
    // Wall time is what a user waits; thread CPU time is reported too because it does not count time the
    // thread spent waiting for a core on a shared machine.
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    double[] ms = new double[runs];
    double[] cpuMs = new double[runs];
    for (int i = 0; i < runs; i++) {
      long c = cpu.getCurrentThreadCpuTime();
      long s = System.nanoTime();
      checker.check(model);
      ms[i] = (System.nanoTime() - s) / 1e6;
      cpuMs[i] = (cpu.getCurrentThreadCpuTime() - c) / 1e6;
    }
    Arrays.sort(ms);
    Arrays.sort(cpuMs);
    System.out.printf(Locale.ROOT, "model: %d nodes, %d initializers, %d KiB; parse (first, cold) %.1f ms%n",
        model.graph().nodes().size(), model.graph().initializers().size(), Files.size(file) / 1024, parseMs);
    System.out.printf(Locale.ROOT, "check, %d releases, %d runs after %d warm-up: median %.2f ms, p90 %.2f ms, min %.2f ms, max %.2f ms%n",
        first.results().size(), runs, warmup, ms[runs / 2], ms[(int) (runs * 0.9)], ms[0], ms[runs - 1]);
    System.out.printf(Locale.ROOT, "check thread CPU time: median %.2f ms, p90 %.2f ms%n", cpuMs[runs / 2],
        cpuMs[(int) (runs * 0.9)]);
    first.results().forEach(r -> System.out.printf("  %-5s %-25s errors %d warnings %d findings %d%n",
        r.tensorrt(), r.verdict().json(), r.errors(), r.warnings(), r.findings().size()));
    Files.delete(file);
    Files.delete(dir);
  }
}
