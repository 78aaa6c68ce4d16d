package dev.trtcompat.quantize;

import ai.onnxruntime.OnnxTensor;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.reference.HostTensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Not a test: a measurement run by bench/quantize/calibration-split.sh. Splits a calibration sample's cost on an
 * image model with input [1,3,224,224]: the plain ONNX Runtime run, the run with the tensors that Q/DQ placement
 * quantizes exposed as outputs (pinned, through {@link Calibrator.PinnedOutputs} and {@link OrtModelSession#runInto}, as calibration runs it), and that run followed by the histograms, each
 * with ONNX Runtime's intra-op spinning on (the default) and off; then the histograms of
 * each run filled while the next run goes on ({@link OverlappedHistograms}, spinning off), and that on ONNX Runtime's
 * optimized model with the exposed tensors in its blocked layout ({@link BlockedOutputs}, as calibration runs now). Variants are interleaved in rounds on one random
 * input, and the best round of each is printed, so that other processes' load on a shared machine skews them alike.
 * Sits in the test tree only to reach the package's internals; surefire does not run it (no Test in its name).
 */
public final class CalibrationSplit {

  private static final String[] VARIANTS = {
    "plain run, spinning", "plain run, no spinning", "exposed run, spinning", "exposed run, no spinning",
    "exposed run + histograms, spinning", "exposed run + histograms, no spinning",
    "exposed run + histograms overlapped, no spinning",
    "blocked exposed run + histograms overlapped, no spinning"
  };

  private CalibrationSplit() {}

  public static void main(String[] args) throws Exception {
    ModelProto model = ModelFiles.load(Path.of(args[0]));
    int perRound = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    GraphIndex g = new GraphIndex(model.getGraph());
    Set<String> exposed = new LinkedHashSet<>(QdqPlacement.plan(g, List.of()).activations().keySet());
    exposed.removeIf(g::isGraphInput);
    String inputName = model.getGraph().getInput(0).getName();
    float[] in = new float[3 * 224 * 224];
    Random r = new Random(0);
    for (int i = 0; i < in.length; i++) {
      in[i] = (float) r.nextGaussian();
    }
    Map<String, HostTensor> sample = Map.of(inputName, HostTensor.ofFloats(inputName, new long[] {1, 3, 224, 224}, in));
    List<OrtModelSession> sessions = new ArrayList<>();
    List<Calibrator.PinnedOutputs> pinned = new ArrayList<>();
    BlockedOutputs blocked = BlockedOutputs.of(OrtModelSession.optimizedForm(Calibrator.exposing(model, exposed), "model", threads), exposed);
    try (ParallelHistograms parallel = new ParallelHistograms(threads);
        OverlappedHistograms overlapped = new OverlappedHistograms(threads);
        OverlappedHistograms overlappedBlocked = new OverlappedHistograms(threads);
        OrtModelSession blockedSession = new OrtModelSession(blocked.model(), "model", threads, false, true)) {
      for (int k = 0; k < 4; k++) {
        boolean spinning = k % 2 == 0;
        OrtModelSession s = new OrtModelSession(k < 2 ? model : Calibrator.exposing(model, exposed), "model", threads, spinning);
        sessions.add(s);
        Calibrator.PinnedOutputs p = new Calibrator.PinnedOutputs();
        pinned.add(p);
        if (k >= 2) {
          Map<String, long[]> shapes = new LinkedHashMap<>();
          s.run(sample, exposed, (name, v) -> shapes.put(name, ((OnnxTensor) v).getInfo().getShape()));
          p.allocate(s, sample, shapes, Calibrator.PinnedOutputs.MAX_BYTES);
          if (!p.fits(sample)) {
            throw new IllegalStateException("outputs too large to pin");
          }
        }
      }
      Map<String, long[]> shapes = new LinkedHashMap<>();
      sessions.get(3).run(sample, exposed, (name, v) -> shapes.put(name, ((OnnxTensor) v).getInfo().getShape()));
      overlapped.allocate(sessions.get(3), sample, shapes);
      Map<String, TensorHistogram> byBlockedOutput = new LinkedHashMap<>();
      exposed.forEach(t -> byBlockedOutput.put(blocked.outputOf(t), new TensorHistogram()));
      Map<String, long[]> blockedShapes = new LinkedHashMap<>();
      blockedSession.run(sample, byBlockedOutput.keySet(), (name, v) -> blockedShapes.put(name, ((OnnxTensor) v).getInfo().getShape()));
      overlappedBlocked.allocate(blockedSession, sample, blockedShapes);
      Map<String, FloatBuffer> buffers = pinned.get(2).buffers();
      long bytes = buffers.values().stream().mapToLong(b -> b.capacity() * (long) Float.BYTES).sum();
      System.out.printf(Locale.ROOT, "exposed tensors %d, %.1f MB per sample, %d intra-op threads%n", exposed.size(), bytes / 1e6, threads);
      Map<String, TensorHistogram> histograms = new LinkedHashMap<>();
      exposed.forEach(t -> histograms.put(t, new TensorHistogram()));
      double[] best = new double[VARIANTS.length];
      Arrays.fill(best, Double.MAX_VALUE);
      for (int round = -1; round < rounds; round++) { // round -1 warms up
        for (int v = 0; v < VARIANTS.length; v++) {
          int k = v < 2 ? v : v >= 6 ? 3 : 2 + v % 2; // the overlapped variants run without spinning
          OrtModelSession s = v == 7 ? blockedSession : sessions.get(k);
          long start = System.nanoTime();
          for (int i = 0; i < perRound; i++) {
            if (v == 7) {
              overlappedBlocked.run(s, sample, byBlockedOutput);
            } else if (v == 6) {
              overlapped.run(s, sample, histograms);
            } else if (v < 2) {
              s.run(sample);
            } else {
              s.runInto(sample, pinned.get(k).tensors());
            }
            if (v == 4 || v == 5) {
              parallel.add(pinned.get(k).buffers(), histograms);
            }
          }
          overlapped.drain();
          overlappedBlocked.drain();
          if (round >= 0) {
            best[v] = Math.min(best[v], (System.nanoTime() - start) / 1e6 / perRound);
          }
        }
      }
      for (int v = 0; v < VARIANTS.length; v++) {
        System.out.printf(Locale.ROOT, "%-50s %6.2f ms (best of %d rounds of %d)%n", VARIANTS[v], best[v], rounds, perRound);
      }
    } finally {
      pinned.forEach(Calibrator.PinnedOutputs::close);
      sessions.forEach(OrtModelSession::close);
    }
  }

}
