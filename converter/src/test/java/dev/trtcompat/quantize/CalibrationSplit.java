package dev.trtcompat.quantize;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.reference.ReferenceRunner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
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
 * quantizes exposed as outputs (pinned, as {@link Calibrator} does), and that run followed by the histograms, each
 * with ONNX Runtime's intra-op spinning on (the default) and off. Variants are interleaved in rounds on one random
 * input, and the best round of each is printed, so that other processes' load on a shared machine skews them alike.
 * Sits in the test tree only to reach the package's internals; surefire does not run it (no Test in its name).
 */
public final class CalibrationSplit {

  private static final String[] VARIANTS = {
    "plain run, spinning", "plain run, no spinning", "exposed run, spinning", "exposed run, no spinning",
    "exposed run + histograms, spinning", "exposed run + histograms, no spinning"
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
    OrtEnvironment env = ReferenceRunner.environment();
    String inputName = model.getGraph().getInput(0).getName();
    FloatBuffer in = direct(3 * 224 * 224);
    Random r = new Random(0);
    for (int i = 0; i < in.capacity(); i++) {
      in.put(i, (float) r.nextGaussian());
    }
    Path dir = Files.createTempDirectory("calibration-split-");
    List<OrtSession> sessions = new ArrayList<>();
    List<OrtSession.SessionOptions> options = new ArrayList<>();
    try (OnnxTensor input = OnnxTensor.createTensor(env, in, new long[] {1, 3, 224, 224});
        ParallelHistograms parallel = new ParallelHistograms(threads)) {
      Path plain = dir.resolve("plain.onnx");
      Path withOutputs = dir.resolve("exposed.onnx");
      ModelFiles.writeAtomically(model, plain);
      ModelFiles.writeAtomically(Calibrator.exposing(model, exposed), withOutputs);
      for (int k = 0; k < 4; k++) {
        OrtSession.SessionOptions o = ReferenceRunner.sessionOptions(threads);
        if (k % 2 == 1) {
          o.addConfigEntry("session.intra_op.allow_spinning", "0");
        }
        options.add(o);
        sessions.add(env.createSession((k < 2 ? plain : withOutputs).toString(), o));
      }
      Map<String, OnnxTensor> pinned = new LinkedHashMap<>();
      Map<String, FloatBuffer> buffers = new LinkedHashMap<>();
      try (OrtSession.Result first = sessions.get(2).run(Map.of(inputName, input), exposed)) {
        for (Map.Entry<String, OnnxValue> e : first) {
          long[] shape = ((OnnxTensor) e.getValue()).getInfo().getShape();
          FloatBuffer b = direct(Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact)));
          buffers.put(e.getKey(), b);
          pinned.put(e.getKey(), OnnxTensor.createTensor(env, b, shape));
        }
      }
      long bytes = buffers.values().stream().mapToLong(b -> b.capacity() * (long) Float.BYTES).sum();
      System.out.printf(Locale.ROOT, "exposed tensors %d, %.1f MB per sample, %d intra-op threads%n", exposed.size(), bytes / 1e6, threads);
      Map<String, TensorHistogram> histograms = new LinkedHashMap<>();
      exposed.forEach(t -> histograms.put(t, new TensorHistogram()));
      double[] best = new double[VARIANTS.length];
      Arrays.fill(best, Double.MAX_VALUE);
      for (int round = -1; round < rounds; round++) { // round -1 warms up
        for (int v = 0; v < VARIANTS.length; v++) {
          OrtSession s = sessions.get(v < 2 ? v : 2 + v % 2);
          long start = System.nanoTime();
          for (int i = 0; i < perRound; i++) {
            run(s, inputName, input, v < 2 ? null : pinned);
            if (v >= 4) {
              parallel.add(buffers, histograms);
            }
          }
          if (round >= 0) {
            best[v] = Math.min(best[v], (System.nanoTime() - start) / 1e6 / perRound);
          }
        }
      }
      for (int v = 0; v < VARIANTS.length; v++) {
        System.out.printf(Locale.ROOT, "%-40s %6.2f ms (best of %d rounds of %d)%n", VARIANTS[v], best[v], rounds, perRound);
      }
      pinned.values().forEach(OnnxTensor::close);
    } finally {
      for (OrtSession s : sessions) {
        s.close();
      }
      options.forEach(OrtSession.SessionOptions::close);
      OrtModelSession.deleteTree(dir);
    }
  }

  private static void run(OrtSession s, String name, OnnxTensor input, Map<String, OnnxTensor> pinned) throws OrtException {
    if (pinned == null) {
      s.run(Map.of(name, input)).close();
    } else {
      s.run(Map.of(name, input), pinned).close();
    }
  }

  private static FloatBuffer direct(int floats) {
    return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }
}
