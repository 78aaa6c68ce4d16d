import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.trtcompat.accuracy.AccuracyComparison;
import dev.trtcompat.accuracy.ClassAgreement;
import dev.trtcompat.accuracy.OutputComparison;
import dev.trtcompat.accuracy.Tolerance;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.quantize.CalibrationFiles;
import dev.trtcompat.quantize.CalibrationSet;
import dev.trtcompat.quantize.ModelInput;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.OrtTensors;
import dev.trtcompat.reference.ReferenceRunner;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per-sample accuracy of Q/DQ models against their FP32 model on ONNX Runtime (CPU), on samples of their own (a
 * folder of .npy/.npz, read as `quantize --calib` reads them): what `quantize`'s accuracy report aggregates
 * (OutputComparison's cosine and max abs error, ClassAgreement's top-1/top-5), kept per sample so that a benchmark
 * can pair them with another quantizer's on the same samples. First output only. Prints JSON:
 * {"runtime", "samples", "models": {PATH: {"cosine": [...], "maxAbs": [...], "top1": [...], "top5": [...],
 * "argmax": [...]}}}, argmax being the model's own class per sample, for an accuracy against true labels.
 * Run by bench/quantize/ptq_compare.py (--held-out):
 * java -cp "web/target/lib/*" bench/quantize/HeldOutEval.java FP32.onnx SAMPLES_DIR THREADS INT8.onnx...
 */
public final class HeldOutEval {

  public static void main(String[] args) throws Exception {
    Path fp32 = Path.of(args[0]);
    CalibrationSet data = CalibrationFiles.open(Path.of(args[1]), null);
    int threads = Integer.parseInt(args[2]);
    List<ModelInput> inputs;
    try (InputStream in = Files.newInputStream(fp32)) {
      inputs = ModelInput.of(ModelProto.parseFrom(in).getGraph());
    }
    OrtEnvironment env = ReferenceRunner.environment();
    List<HostTensor> reference = run(env, fp32, inputs, data, threads);
    StringBuilder json = new StringBuilder();
    json.append(String.format(Locale.ROOT, "{\"runtime\": \"ONNX Runtime %s (CPU)\", \"samples\": %d, \"models\": {",
        ReferenceRunner.onnxruntimeVersion(), data.size()));
    for (int m = 3; m < args.length; m++) {
      List<HostTensor> got = run(env, Path.of(args[m]), inputs, data, threads);
      List<String> cosine = new ArrayList<>();
      List<String> maxAbs = new ArrayList<>();
      List<String> top1 = new ArrayList<>();
      List<String> top5 = new ArrayList<>();
      List<String> argmax = new ArrayList<>();
      for (int i = 0; i < reference.size(); i++) {
        OutputComparison c = AccuracyComparison.compare(reference.get(i), got.get(i), Tolerance.onnxBackendTest());
        cosine.add(Double.toString(c.cosineSimilarity()));
        maxAbs.add(Double.toString(c.maxAbsError()));
        ClassAgreement.Counts k = ClassAgreement.count(reference.get(i), got.get(i));
        top1.add(Long.toString(k.top1()));
        top5.add(Long.toString(k.top5()));
        argmax.add(Integer.toString(argmax(got.get(i))));
      }
      json.append(m > 3 ? ", " : "").append('"').append(args[m]).append("\": {\"cosine\": ").append(cosine)
          .append(", \"maxAbs\": ").append(maxAbs).append(", \"top1\": ").append(top1).append(", \"top5\": ")
          .append(top5).append(", \"argmax\": ").append(argmax).append('}');
    }
    System.out.println(json.append("}}"));
  }

  /** The index of the highest value, first of equals. */
  private static int argmax(HostTensor t) {
    double[] v = t.toDoubles();
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }

  /** The first output of the model for every sample, copied to the heap. */
  private static List<HostTensor> run(OrtEnvironment env, Path model, List<ModelInput> inputs, CalibrationSet data,
      int threads) throws Exception {
    List<HostTensor> outputs = new ArrayList<>();
    try (OrtSession.SessionOptions options = ReferenceRunner.sessionOptions(threads);
        OrtSession session = env.createSession(model.toString(), options)) {
      String first = session.getOutputNames().iterator().next();
      for (int i = 0; i < data.size(); i++) {
        Map<String, HostTensor> sample = data.sample(i, inputs);
        ModelInput.check(inputs, sample, data.label(i));
        try (OrtTensors.Inputs feed = new OrtTensors.Inputs()) {
          for (HostTensor t : sample.values()) {
            feed.put(t.name(), OrtTensors.toOrt(env, t));
          }
          try (OrtSession.Result result = session.run(feed.asMap())) {
            outputs.add(OrtTensors.fromOrt(first, result.get(first).orElseThrow()));
          }
        }
      }
    }
    return outputs;
  }
}
