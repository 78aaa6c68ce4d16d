package dev.trtcompat.cli;

import dev.trtcompat.fp16.Fp16Converter;
import dev.trtcompat.fp16.Fp16Request;
import dev.trtcompat.fp16.Fp16Result;
import dev.trtcompat.json.Json;
import dev.trtcompat.quantize.QuantizeRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trt-compat fp16}: FP16 / mixed-precision conversion with its accuracy against FP32 measured on ONNX Runtime. */
@Command(
    name = "fp16",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Convert MODEL's weights and compute to FP16, keeping in FP32 the nodes that overflow or lose too much (from"
          + " statistics over the data, reductions, Softmax and normalisation, and --keep-fp32), and measure its"
          + " accuracy against FP32 on ONNX Runtime (CPU).",
      "Progress goes to stderr. Exit codes: 0 written; 2 bad model, data or options (nothing written);"
          + " 3 the output cannot be written."
    })
final class Fp16Command implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "the FP32 .onnx file")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "the model to write, e.g. model.fp16.onnx")
  Path out;

  @Mixin CalibrationOptions calibration;

  @Option(names = "--keep-fp32", paramLabel = "NODE_OR_OP", split = ",",
      description = "node names or operator types to keep in FP32 as well (repeatable or comma-separated)")
  List<String> keep;

  @Option(names = "--boxes", paramLabel = "OUTPUT", description = "an output holding detection boxes (x1,y1,x2,y2): report IoU agreement")
  String boxes;

  @Option(names = "--eval-samples", defaultValue = "" + QuantizeRequest.DEFAULT_MAX_EVAL,
      description = "most held-out samples to measure accuracy on (default: ${DEFAULT-VALUE})")
  int evalSamples;

  @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: available processors)")
  Integer threads;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Override
  public Integer call() throws IOException {
    Fp16Request request =
        Fp16Request.of(model, calibration.open(), out).withKeepFp32(keep).withBoxesOutput(boxes)
            .withMaxEvalSamples(evalSamples);
    if (threads != null) {
      request = request.withThreads(threads);
    }
    Fp16Result r = new Fp16Converter().convert(request, new ProgressLine(spec.commandLine().getErr()));
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(Json.pretty().writeValueAsString(r));
    } else {
      w.printf(Locale.ROOT, "model        %s%n", r.model());
      w.printf(Locale.ROOT, "wrote        %s (sha256 %s)%n", r.output(), r.outputSha256());
      w.printf(Locale.ROOT, "statistics   %s%n", r.statistics());
      if (r.caveat() != null) {
        w.printf(Locale.ROOT, "caveat       %s%n", r.caveat());
      }
      w.printf(Locale.ROOT, "precision    %d node(s) FP16, %d kept FP32, %d cast(s), %d weight(s) stored FP16%n",
          r.fp16Nodes(), r.fp32Nodes(), r.castsAdded(), r.weightsConverted());
      for (Fp16Result.KeptNode k : r.keptFp32()) {
        w.printf(Locale.ROOT, "kept FP32    %s (%s): %s%n", k.node(), k.op(), k.reason());
      }
      QuantizeCommand.printAccuracy(w, r.accuracy());
    }
    w.flush();
    return 0;
  }
}
