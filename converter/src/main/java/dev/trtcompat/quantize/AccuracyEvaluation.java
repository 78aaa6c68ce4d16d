package dev.trtcompat.quantize;

import dev.trtcompat.accuracy.AccuracyComparison;
import dev.trtcompat.accuracy.BoxAgreement;
import dev.trtcompat.accuracy.ClassAgreement;
import dev.trtcompat.accuracy.OutputComparison;
import dev.trtcompat.accuracy.Tolerance;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.ReferenceRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the FP32 model and a changed model (Q/DQ or FP16) on the same samples on ONNX Runtime (CPU) and aggregates
 * the output errors per output. FP32 outputs can be computed once and reused for several candidates (sensitivity).
 */
public final class AccuracyEvaluation {

  private final List<ModelInput> inputs;
  private final CalibrationSet data;
  private final List<Integer> indices;
  private final String boxesOutput;
  private final int threads;
  private final boolean heldOut;
  private final String description;
  private final List<Map<String, HostTensor>> reference = new ArrayList<>();

  /**
   * Runs the FP32 model over the samples now and keeps its outputs.
   *
   * @param boxesOutput name of an output holding boxes for IoU agreement, or null
   */
  public AccuracyEvaluation(
      ModelProto fp32, List<ModelInput> inputs, CalibrationSet data, List<Integer> indices, boolean heldOut,
      String description, String boxesOutput, int threads, Progress progress) {
    this.inputs = inputs;
    this.data = data;
    this.indices = List.copyOf(indices);
    this.boxesOutput = boxesOutput;
    this.threads = threads;
    this.heldOut = heldOut;
    this.description = description;
    try (OrtModelSession s = new OrtModelSession(fp32, "the FP32 model", threads)) {
      if (boxesOutput != null && !s.outputNames().contains(boxesOutput)) {
        throw OptionException.of("invalid_calibration_data", RequestOption.BOXES, " '" + boxesOutput
            + "' is not an output of the model; its outputs are " + s.outputNames());
      }
      int done = 0;
      for (int i : indices) {
        Map<String, HostTensor> sample = sample(i);
        reference.add(s.run(sample));
        progress.report("evaluating FP32", ++done, indices.size());
      }
    }
  }

  private Map<String, HostTensor> sample(int i) {
    Map<String, HostTensor> sample = data.sample(i, inputs);
    ModelInput.check(inputs, sample, data.label(i));
    return sample;
  }

  public AccuracySummary evaluate(ModelProto candidate, String label, Progress progress) {
    Map<String, Aggregate> byOutput = new LinkedHashMap<>();
    try (OrtModelSession s = new OrtModelSession(candidate, label, threads)) {
      for (int k = 0; k < indices.size(); k++) {
        Map<String, HostTensor> got = s.run(sample(indices.get(k)));
        for (HostTensor ref : reference.get(k).values()) {
          HostTensor other = got.get(ref.name());
          if (other != null) {
            byOutput.computeIfAbsent(ref.name(), n -> new Aggregate()).add(ref, other, ref.name().equals(boxesOutput));
          }
        }
        progress.report("evaluating " + label, k + 1, indices.size());
      }
    }
    List<OutputAccuracy> outputs = new ArrayList<>();
    byOutput.forEach((name, a) -> outputs.add(a.result(name)));
    return new AccuracySummary(
        "ONNX Runtime " + ReferenceRunner.onnxruntimeVersion() + " (CPU)", indices.size(), heldOut, description, outputs);
  }

  /** Running figures of one output over the samples. */
  private static final class Aggregate {
    double maxAbs;
    double maxRel;
    double sumMeanAbs;
    double cosMin = 1;
    double cosSum;
    int samples;
    int mismatches;
    ClassAgreement.Counts classes;
    BoxAgreement.Counts boxes;

    void add(HostTensor ref, HostTensor other, boolean isBoxes) {
      OutputComparison c = AccuracyComparison.compare(ref, other, Tolerance.onnxBackendTest());
      if (!Double.isNaN(c.maxAbsError())) {
        samples++;
        maxAbs = Math.max(maxAbs, c.maxAbsError());
        maxRel = Math.max(maxRel, c.maxRelError());
        sumMeanAbs += c.meanAbsError();
        cosMin = Math.min(cosMin, c.cosineSimilarity());
        cosSum += c.cosineSimilarity();
      } else {
        mismatches++;
      }
      // an output the user named as boxes holds coordinates: top-1/top-5 of them would mean nothing
      if (!isBoxes && ClassAgreement.looksLikeClassScores(ref)) {
        ClassAgreement.Counts n = ClassAgreement.count(ref, other);
        classes = classes == null ? n : classes.plus(n);
      }
      if (isBoxes && BoxAgreement.looksLikeBoxes(ref)) {
        BoxAgreement.Counts n = BoxAgreement.count(ref, other);
        boxes = boxes == null ? n : boxes.plus(n);
      }
    }

    OutputAccuracy result(String name) {
      Double top1 = classes == null || classes.rows() == 0 ? null : (double) classes.top1() / classes.rows();
      Double top5 = classes == null || classes.rows() == 0 ? null : (double) classes.top5() / classes.rows();
      Double iou = boxes == null || boxes.boxes() == 0 ? null : boxes.meanIou();
      Double half = boxes == null || boxes.boxes() == 0 ? null : (double) boxes.atLeastHalf() / boxes.boxes();
      if (samples == 0) {
        return new OutputAccuracy(name, mismatches, null, null, null, null, null, top1, top5, iou, half);
      }
      return new OutputAccuracy(
          name, mismatches, maxAbs, maxRel, sumMeanAbs / samples, cosMin, cosSum / samples, top1, top5, iou, half);
    }
  }
}
