package dev.trtcompat.fix;

import dev.trtcompat.accuracy.AccuracyComparison;
import dev.trtcompat.accuracy.OutputComparison;
import dev.trtcompat.accuracy.Tolerance;
import dev.trtcompat.concurrent.Futures;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.ElementType;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRequest;
import dev.trtcompat.reference.ReferenceResult;
import dev.trtcompat.reference.ReferenceRunner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs the original and the fixed model on ONNX Runtime (CPU) with the same inputs and compares every output.
 * Tolerance: the FP32 defaults of the accuracy package (atol 1e-4, rtol 1e-3) with every element required to
 * be within it, since a rewrite should change nothing but float rounding.
 */
final class EquivalenceCheck {

  static final Tolerance TOLERANCE = Tolerance.defaults(Precision.FP32).withMinWithinShare(1.0);

  /** @param proven false with {@code reason} when the original could not be run (the fix is then unproven) */
  record Outcome(boolean proven, boolean passed, String reason, FixReport.Equivalence details) {}

  private EquivalenceCheck() {}

  /**
   * Starts ONNX Runtime's run of the original on {@code executor}: it needs nothing from the passes, so it runs
   * while they work. Close the returned run before leaving (it waits for the native session to be released).
   */
  static Reference start(Path original, FixRequest req, Executor executor) {
    CompletableFuture<ReferenceResult> run = CompletableFuture.supplyAsync(() -> {
      ReferenceResult r = new ReferenceRunner().run(ReferenceRequest.of(original).withShapes(req.shapes()).withRuns(1)
          .withWarmup(0).withThreads(1).withSeed(req.seed()).withGivenInputs(req.givenInputs()));
      Phase.done("ONNX Runtime: original loaded and run");
      return r;
    }, executor);
    return new Reference(run);
  }

  /** Both runs on the calling thread (for a comparison of two given files). */
  static Outcome run(Path original, Path fixed, Map<String, Integer> fixedInputs, FixRequest req) {
    try (Reference reference = start(original, req, Runnable::run)) {
      return reference.compare(fixed, fixedInputs);
    }
  }

  /** The original's run on ONNX Runtime, started before the fixed model exists. */
  static final class Reference implements AutoCloseable {
    private final CompletableFuture<ReferenceResult> run;

    private Reference(CompletableFuture<ReferenceResult> run) {
      this.run = run;
    }

    /**
     * @param fixedInputs the fixed model's graph inputs that are not initializers, with their ONNX element types,
     *     from the graph the fixer wrote: asking ONNX Runtime instead would load the whole model a third time
     *     (each session reads every weight)
     */
    Outcome compare(Path fixed, Map<String, Integer> fixedInputs) {
      String tol = String.format(Locale.ROOT, "atol %.0e + rtol %.0e on every element (FP32 defaults)",
          TOLERANCE.atol(), TOLERANCE.rtol());
      ReferenceResult before;
      try {
        before = Futures.join(run);
      } catch (UserFacingException e) {
        if ("invalid_input_shape".equals(e.error()) || "unknown_input".equals(e.error())) {
          throw e;
        }
        String why = "ONNX Runtime cannot run the original model, so equivalence is not proven: " + e.detail();
        return new Outcome(false, true, why, new FixReport.Equivalence(tol, List.of(), List.of(), List.of(why)));
      }
      return EquivalenceCheck.compare(before, fixed, fixedInputs, tol);
    }

    /** Waits for the run to end, so no ONNX Runtime session outlives the fix. */
    @Override
    public void close() {
      try {
        run.join();
      } catch (RuntimeException ignored) {
        // its failure was reported by compare, or the fix failed first and reports that
      }
    }
  }

  private static Outcome compare(ReferenceResult before, Path fixed, Map<String, Integer> fixedInputs, String tol) {
    ReferenceRunner runner = new ReferenceRunner();
    List<String> inputs = new ArrayList<>();
    before.inputs().forEach(i -> inputs.add(i.name() + " " + i.elemType() + " " + java.util.Arrays.toString(i.shape())
        + " (" + i.source() + ")"));
    ReferenceResult after;
    try {
      Map<String, HostTensor> feed = new LinkedHashMap<>();
      for (var e : before.inputTensors().entrySet()) {
        Integer type = fixedInputs.get(e.getKey());
        if (type == null) {
          continue;
        }
        HostTensor v = e.getValue();
        if (v.type() == ElementType.INT64 && type == ElementType.INT32.wire()) {
          // int64-io made this input INT32: feed the same values, which must fit
          long[] values = Tensors.longs(v);
          int bad = Int64IoPass.firstNotFitting(values);
          if (bad >= 0) {
            String why = "input '" + e.getKey() + "' element " + bad + " = " + values[bad]
                + " does not fit in INT32, so the fixed model's INT32 input cannot take it (int64-io)";
            return new Outcome(true, false, why, new FixReport.Equivalence(tol, inputs, List.of(), before.notes()));
          }
          v = Tensors.ofLongs(ElementType.INT32, v.shape(), values).withName(e.getKey());
        }
        feed.put(e.getKey(), v);
      }
      after = runner.run(ReferenceRequest.of(fixed).withRuns(1).withWarmup(0).withThreads(1).withGivenInputs(feed));
    } catch (UserFacingException e) {
      String why = "ONNX Runtime runs the original but not the fixed model: " + e.detail();
      return new Outcome(true, false, why, new FixReport.Equivalence(tol, inputs, List.of(), before.notes()));
    }
    List<FixReport.OutputError> outs = new ArrayList<>();
    String problem = null;
    for (HostTensor ref : before.outputTensors().values()) {
      HostTensor got = after.outputTensors().get(ref.name());
      if (got == null) {
        problem = "the fixed model has no output '" + ref.name() + "'";
        outs.add(new FixReport.OutputError(ref.name(), Double.NaN, Double.NaN, false, problem));
        continue;
      }
      if (ref.type() == ElementType.INT64 && got.type() == ElementType.INT32) {
        // int64-io made this output INT32: widening is exact, so the comparison stays exact on integers
        got = Tensors.ofLongs(ElementType.INT64, got.shape(), Tensors.longs(got)).withName(got.name());
      }
      OutputComparison c = AccuracyComparison.compare(ref, got, TOLERANCE);
      boolean ok = c.passed() && !c.dtypeMismatch();
      String p = ok ? null : c.problem() != null ? c.problem()
          : "element type " + c.engineElemType() + " instead of " + c.referenceElemType();
      outs.add(new FixReport.OutputError(ref.name(), c.maxAbsError(), c.maxRelError(), ok, p));
      if (!ok && problem == null) {
        problem = "output '" + ref.name() + "' changed: " + p;
      }
    }
    Phase.done("ONNX Runtime: fixed model loaded and run, outputs compared");
    return new Outcome(true, problem == null, problem,
        new FixReport.Equivalence(tol, inputs, outs, before.notes()));
  }
}
