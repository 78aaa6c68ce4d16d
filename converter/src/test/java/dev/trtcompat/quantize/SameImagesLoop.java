package dev.trtcompat.quantize;

import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.reference.HostTensor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Not a test: a measurement run by bench/quantize/calibration-speed.sh. A plain ONNX Runtime inference loop over the
 * same images as calibration, read the same way (the calibration samples of {@link DataSplit} with one held out, as
 * {@code quantize --eval-samples 1} takes them; {@link ImageCalibrationSet} with the script's preprocessing, read one
 * ahead by {@link SamplePrefetch}, each checked by {@link ModelInput#check}), but with no exposed tensors and no
 * histograms: the model as given, every output fetched and dropped. Its time a sample over the window calibration's
 * own figure uses (from the first sample done to the last), so that the ratio to calibration leaves out decoding,
 * which both pay. Prints one line. Sits in the test tree only to reach the package's internals.
 * Arguments: MODEL.onnx IMAGES_DIR on|off (ONNX Runtime's intra-op spinning: on is its default, off is the
 * calibration session's) THREADS.
 */
public final class SameImagesLoop {

  private SameImagesLoop() {}

  public static void main(String[] args) {
    ModelProto model = ModelFiles.load(Path.of(args[0]));
    List<ModelInput> inputs = ModelInput.of(model.getGraph());
    ImagePreprocessing pre =
        ImagePreprocessing.parse("224x224", "NCHW", "0.485,0.456,0.406", "0.229,0.224,0.225", "1/255");
    CalibrationSet data = CalibrationFiles.open(Path.of(args[1]), pre);
    boolean spinning = args[2].equals("on");
    List<Integer> indices = DataSplit.of(data, 1).calibration();
    long first = 0;
    long last = 0;
    try (OrtModelSession session = new OrtModelSession(model, "the model", Integer.parseInt(args[3]), spinning);
        SamplePrefetch samples = new SamplePrefetch(data, inputs, indices)) {
      for (int i = 0; i < indices.size(); i++) {
        Map<String, HostTensor> sample = samples.take();
        ModelInput.check(inputs, sample, data.label(indices.get(i)));
        session.run(sample, null, (name, value) -> { });
        last = System.nanoTime();
        if (i == 0) {
          first = last;
        }
      }
    }
    double perSample = (last - first) / 1e6 / (indices.size() - 1);
    System.out.printf(Locale.ROOT, "%.2f ms a sample (samples 1 to %d, spinning %s)%n", perSample, indices.size(), args[2]);
  }
}
