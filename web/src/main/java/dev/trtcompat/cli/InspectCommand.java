package dev.trtcompat.cli;

import dev.trtcompat.onnx.ModelSummary;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.units.ByteSize;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trt-compat inspect MODEL}: what is inside an ONNX file, without loading its weights. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Summarize an ONNX model: IR, opsets, inputs/outputs, op histogram, weights.")
final class InspectCommand implements Callable<Integer> {

  @Parameters(paramLabel = "MODEL", description = "The .onnx file (external data is looked up beside it).")
  Path model;

  @Option(names = "--json", description = "Print the summary as JSON.")
  boolean json;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ModelSummary s = ModelSummary.of(OnnxModelReader.read(model));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      // Same document as Json.pretty() writes (tested), without Jackson's start-up cost in a one-shot run.
      out.println(s.toJson());
    } else {
      print(out, s);
    }
    out.flush();
    return 0;
  }

  static void print(PrintWriter out, ModelSummary s) {
    out.printf("IR version      %d%n", s.irVersion());
    out.printf("Producer        %s %s%n", orDash(s.producerName()), s.producerVersion());
    out.printf("Opsets          %s%n", joinMap(s.opsetImports()));
    out.printf("Nodes           %d (main graph), %d subgraph(s)%n", s.nodeCount(), s.subgraphCount());
    out.printf(
        "Initializers    %d, %s%s%n",
        s.initializerCount(),
        ByteSize.human(s.initializerBytes()),
        s.externalDataFiles().isEmpty() ? "" : " (external: " + String.join(", ", s.externalDataFiles()) + ")");
    if (!s.functions().isEmpty()) {
      out.printf("Functions       %s%n", String.join(", ", s.functions()));
    }
    out.println();
    printValues(out, "Inputs", s.inputs());
    printValues(out, "Outputs", s.outputs());
    out.println();
    out.println("Ops");
    s.ops().forEach((op, n) -> out.printf("  %6d  %s%n", n, op));
    if (!s.metadata().isEmpty()) {
      out.println();
      out.println("Metadata");
      s.metadata().forEach((k, v) -> out.printf("  %s = %s%n", k, v));
    }
  }

  private static void printValues(PrintWriter out, String title, List<ModelSummary.ValueSummary> values) {
    out.println(title);
    for (ModelSummary.ValueSummary v : values) {
      out.printf("  %-24s %-10s %s%n", v.name(), v.elemType(), v.shape() == null ? "(rank unknown)" : v.shape());
    }
  }

  private static String joinMap(Map<String, Long> m) {
    return m.isEmpty() ? "-" : String.join(", ", m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
  }

  private static String orDash(String s) {
    return s.isEmpty() ? "-" : s;
  }
}
