package dev.trtcompat.fp16;

import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.onnx.proto.OnnxProtos.NodeProto;
import dev.trtcompat.onnx.proto.OnnxProtos.TensorProto;
import dev.trtcompat.onnx.proto.OnnxProtos.ValueInfoProto;
import dev.trtcompat.quantize.AccuracyEvaluation;
import dev.trtcompat.quantize.AccuracySummary;
import dev.trtcompat.quantize.Calibrator;
import dev.trtcompat.quantize.DataSplit;
import dev.trtcompat.quantize.ModelFiles;
import dev.trtcompat.quantize.ModelInput;
import dev.trtcompat.quantize.NodeSelection;
import dev.trtcompat.quantize.OptionException;
import dev.trtcompat.quantize.Progress;
import dev.trtcompat.quantize.Quantizer;
import dev.trtcompat.quantize.RequestOption;
import dev.trtcompat.reference.HostTensor;
import dev.trtcompat.reference.TensorProtoFiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * FP16 / mixed precision end to end: statistics of every node output over the data on ONNX Runtime, the FP32 keep
 * list ({@link Fp16Policy}), the rewrite ({@link Fp16Rewriter}), accuracy on held-out samples, then an atomic write
 * with provenance in {@code metadata_props}.
 */
public final class Fp16Converter {

  public static final String META_PRECISION = Quantizer.META_PREFIX + "precision";
  /** What random data cannot tell: which values overflow FP16, and how much accuracy real inputs lose. */
  public static final String TIMING_ONLY = "FP32 keep list and accuracy from random data: timing only";

  public Fp16Result convert(Fp16Request request, Progress progress) {
    long start = System.nanoTime();
    ModelProto model = ModelFiles.load(request.model(), Fp16Rewriter::heapCopies);
    List<ModelInput> inputs = ModelInput.of(model.getGraph());
    DataSplit split = DataSplit.of(request.data(), request.maxEvalSamples());
    AccuracyEvaluation evaluation = new AccuracyEvaluation(
        model, inputs, split.evalData(), split.evaluation(), split.heldOut(), split.description(), request.boxesOutput(),
        request.threads(), progress);
    Set<String> nodeOutputs = new LinkedHashSet<>();
    model.getGraph().getNodeList().forEach(n -> n.getOutputList().stream().filter(o -> !o.isEmpty()).forEach(nodeOutputs::add));
    Calibrator.Statistics stats =
        Calibrator.collect(model, nodeOutputs, inputs, request.data(), split.calibration(), request.threads(), progress);

    Set<String> floats = new LinkedHashSet<>(stats.histograms().keySet());
    Map<String, Double> initMax = new HashMap<>();
    for (TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
        floats.add(t.getName());
        HostTensor h = TensorProtoFiles.decode(t, t.getName());
        double m = 0;
        for (int i = 0; i < h.elementCount(); i++) {
          m = Math.max(m, Math.abs(h.get(i)));
        }
        initMax.put(t.getName(), m);
      }
    }
    for (ValueInfoProto v : model.getGraph().getInputList()) {
      if (v.getType().getTensorType().getElemType() == TensorProto.DataType.FLOAT_VALUE) {
        floats.add(v.getName());
      }
    }
    unmatchedKeep(model, request.keepFp32());

    Set<Integer> fp16Nodes = new LinkedHashSet<>();
    List<Fp16Result.KeptNode> kept = new ArrayList<>();
    for (int i = 0; i < model.getGraph().getNodeCount(); i++) {
      NodeProto n = model.getGraph().getNode(i);
      boolean involvesFloat = n.getInputList().stream().anyMatch(floats::contains)
          || n.getOutputList().stream().anyMatch(floats::contains);
      boolean defaultDomain = !n.hasDomain() || n.getDomain().isEmpty() || n.getDomain().equals("ai.onnx");
      if (!involvesFloat || !defaultDomain || Fp16Policy.UNTOUCHED_OPS.contains(n.getOpType())) {
        continue;
      }
      Optional<String> reason = Fp16Policy.keepReason(n, request.keepFp32(), stats.histograms(), initMax);
      if (reason.isPresent()) {
        kept.add(new Fp16Result.KeptNode(n.getName().isEmpty() ? n.getOpType() + " #" + i : n.getName(), n.getOpType(),
            reason.get()));
      } else {
        fp16Nodes.add(i);
      }
    }
    Fp16Rewriter.Result rewritten = Fp16Rewriter.rewrite(model, floats, fp16Nodes);
    ModelProto.Builder out = rewritten.model().toBuilder();
    out.addMetadataProps(ModelFiles.entry(META_PRECISION, "fp16 mixed (" + kept.size() + " node(s) kept FP32)"));
    out.addMetadataProps(ModelFiles.entry(Quantizer.META_DATA, request.data().description()));
    out.addMetadataProps(ModelFiles.entry(Quantizer.META_DATA_SHA256, request.data().sha256()));
    out.addMetadataProps(ModelFiles.entry(Quantizer.META_SOURCE_SHA256, Quantizer.sha256(request.model())));
    ModelProto fp16 = out.build();
    AccuracySummary accuracy = evaluation.evaluate(fp16, "the FP16 model", progress);
    ModelFiles.writeAtomically(fp16, request.out());
    return new Fp16Result(
        request.model().toString(), request.out().toString(), Quantizer.sha256(request.out()),
        request.data().description(), request.data().synthetic(), request.data().synthetic() ? TIMING_ONLY : null,
        fp16Nodes.size(), kept.size(), kept,
        rewritten.castsAdded(), rewritten.weightsConverted(), accuracy, (System.nanoTime() - start) / 1e9);
  }

  private static void unmatchedKeep(ModelProto model, List<String> keep) {
    List<String> unmatched = NodeSelection.unmatched(model.getGraph(), keep);
    if (!unmatched.isEmpty()) {
      throw OptionException.of("unknown_keep", RequestOption.KEEP_FP32,
          " " + unmatched.get(0) + " matches no node name or operator type of the model");
    }
  }
}
