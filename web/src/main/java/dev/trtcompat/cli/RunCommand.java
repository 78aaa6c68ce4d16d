package dev.trtcompat.cli;

import dev.trtcompat.accuracy.TrtexecInputFiles;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.json.Json;
import dev.trtcompat.reference.InputShapes;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceResult;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trt-compat run}: runs a model on the ONNX Runtime CPU reference, prints timings and output statistics
 * and, with {@code --out}, keeps the outputs as {@code .npy} files plus the inputs as trtexec raw files.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run MODEL on ONNX Runtime (CPU) as the reference for TensorRT engines: time it and keep its outputs.",
      "Exit codes: 0 ran; 2 bad model, unsupported operator or bad options; 3 the output folder cannot be written."
    })
final class RunCommand implements Callable<Integer> {

  /** Sub-folder of --out with the inputs as raw files for trtexec --loadInputs. */
  static final String TRTEXEC_INPUTS = "trtexec-inputs";

  @Mixin VerboseOption verbose;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "MODEL", description = "the .onnx file (external weights next to it are found)")
  Path model;

  @Option(names = "--shapes", paramLabel = "SPEC",
      description = "input shapes as for trtexec, e.g. images:1x3x224x224,mask:1x224; dynamic dims not given are 1")
  String shapes;

  @Option(names = "--runs", defaultValue = "" + ReferenceRequest.DEFAULT_RUNS, description = "timed runs (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--warmup", defaultValue = "" + ReferenceRequest.DEFAULT_WARMUP, description = "untimed runs first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: available processors)")
  Integer threads;

  @Option(names = "--seed", defaultValue = "" + ReferenceRequest.DEFAULT_SEED, description = "seed of the random inputs (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", paramLabel = "DIR",
      description = "keep the reference: outputs/*.npy, inputs/*.npy, reference.json, " + TRTEXEC_INPUTS + "/*.bin")
  Path out;

  @Option(names = "--json", description = "print the result as JSON")
  boolean json;

  @Override
  public Integer call() throws IOException {
    ReferenceRequest request =
        ReferenceRequest.of(model)
            .withShapes(InputShapes.parse(shapes))
            .withRuns(runs)
            .withWarmup(warmup)
            .withThreads(threads == null ? ReferenceRequest.defaultThreads() : threads)
            .withSeed(seed)
            .withOutDir(out);
    ReferenceResult result = new ReferenceRunner().run(request);
    String loadInputs = null;
    if (out != null) {
      try {
        loadInputs = TrtexecInputFiles.write(
            out.resolve(TRTEXEC_INPUTS), TRTEXEC_INPUTS, result.inputTensors().values(), Map.of()).loadInputsSpec();
      } catch (IOException e) {
        throw new UserFacingException(
            UserFacingException.Kind.UNAVAILABLE, "reference_not_written", "cannot write under " + out + ": " + e.getMessage(), e);
      }
    }
    PrintWriter w = spec.commandLine().getOut();
    if (json) {
      w.println(Json.pretty().writeValueAsString(result));
    } else {
      printHuman(w, result, loadInputs);
    }
    w.flush();
    return 0;
  }

  private void printHuman(PrintWriter w, ReferenceResult r, String loadInputs) {
    ReferenceResult.LatencyMs l = r.latencyMs();
    w.printf(Locale.ROOT, "model       %s%n", model);
    w.printf(Locale.ROOT, "runtime     ONNX Runtime %s, CPU, %d intra-op thread(s)%n", r.onnxruntimeVersion(), r.threads());
    for (ReferenceResult.InputSummary in : r.inputs()) {
      w.printf(Locale.ROOT, "input       %s %s %s (%s)%n", in.name(), in.elemType(), dims(in.shape()), in.source());
    }
    w.printf(Locale.ROOT, "runs        %d timed after %d warm-up%n", r.runs(), r.warmupRuns());
    w.printf(Locale.ROOT, "latency ms  min %.3f  median %.3f  p90 %.3f  p99 %.3f  max %.3f%n",
        l.min(), l.median(), l.p90(), l.p99(), l.max());
    w.printf(Locale.ROOT, "throughput  %.1f runs/s%n", r.throughputPerSec());
    for (ReferenceResult.OutputSummary o : r.outputs()) {
      w.printf(Locale.ROOT, "output      %s %s %s  min %.6g  max %.6g  mean %.6g%s%n", o.name(), o.elemType(),
          dims(o.shape()), o.min(), o.max(), o.mean(), o.nanCount() > 0 ? "  NaN " + o.nanCount() : "");
    }
    for (String note : r.notes()) {
      w.println("note        " + note);
    }
    if (r.referenceDir() != null) {
      w.println("reference   " + r.referenceDir() + " (outputs/*.npy, inputs/*.npy, reference.json)");
      w.println("trtexec     run in " + r.referenceDir() + ": --loadInputs=" + loadInputs);
    }
  }

  private static String dims(long[] shape) {
    if (shape.length == 0) {
      return "scalar";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : "x").append(shape[i]);
    }
    return sb.toString();
  }
}
