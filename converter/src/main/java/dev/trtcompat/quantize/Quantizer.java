package dev.trtcompat.quantize;

import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.check.ExplicitQuantizationVerdict;
import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.onnx.OnnxModelReader;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Post-training INT8 quantization end to end: read the FP32 model, place Q/DQ ({@link QdqPlacement}), calibrate on
 * ONNX Runtime ({@link Calibrator}), choose ranges ({@link RangeMethod}), rewrite ({@link QdqRewriter}), measure the
 * accuracy on held-out samples ({@link AccuracyEvaluation}) and only then write the model, atomically, with its
 * provenance in {@code metadata_props}.
 */
public final class Quantizer {

  /** Keys of the provenance written into the model's {@code metadata_props}. */
  public static final String META_PREFIX = "trt_compat.";
  public static final String META_QUANTIZATION = META_PREFIX + "quantization";
  public static final String META_METHOD = META_PREFIX + "calibration_method";
  public static final String META_DATA_SHA256 = META_PREFIX + "calibration_sha256";
  public static final String META_DATA = META_PREFIX + "calibration_data";
  public static final String META_SAMPLES = META_PREFIX + "calibration_samples";
  public static final String META_CAVEAT = META_PREFIX + "caveat";
  public static final String META_EXCLUDED = META_PREFIX + "excluded_nodes";
  public static final String META_SOURCE_SHA256 = META_PREFIX + "source_sha256";
  public static final String INT8_QDQ = "int8 q/dq (symmetric, weights per channel, activations per tensor)";

  /**
   * Above this share of a tensor's non-zero values saturated by its range, the result carries a note: 100 times
   * what the default percentile (99.99) clips of all values by construction (about 50 times for a ReLU output, whose
   * zeros the percentile counts and this share does not), so no well-behaved range triggers it.
   */
  static final double CLIPPED_NOTE_SHARE = 0.01;

  public QuantizeResult quantize(QuantizeRequest request, Progress progress) {
    long start = System.nanoTime();
    Prepared p = prepare(request, progress);
    Map<String, Double> amax = p.amax(request);
    ModelProto quantized = p.rewrite(p.plan(), request, amax, Map.of());
    AccuracySummary accuracy = p.evaluation().evaluate(quantized, "the INT8 Q/DQ model", progress);
    return p.write(request, quantized, p.plan(), accuracy, amax, start);
  }

  /** Everything up to the rewrite: the model on opset 13+, its inputs, the plan, the split and the statistics. */
  Prepared prepare(QuantizeRequest request, Progress progress) {
    return prepare(request, progress, Calibrator.SampleLimit.NONE);
  }

  /** The same, with calibration stopped early by {@code limit} (a time budget); the notes then say so. */
  Prepared prepare(QuantizeRequest request, Progress progress, Calibrator.SampleLimit limit) {
    ModelProto original = ModelFiles.load(request.model());
    List<ModelInput> inputs = ModelInput.of(original.getGraph());
    ModelProto model = OpsetRequirement.atLeast13(original);
    List<String> notes = new ArrayList<>();
    if (OpsetRequirement.defaultOpset(original) < OpsetRequirement.QDQ_OPSET) {
      notes.add("opset moved from " + OpsetRequirement.defaultOpset(original) + " to " + OpsetRequirement.QDQ_OPSET
          + " for per-channel Q/DQ (no operator of the model changed signature in between)");
    }
    GraphIndex g = new GraphIndex(model.getGraph());
    QdqPlacement.Plan plan = QdqPlacement.plan(g, request.exclude());
    if (plan.activations().isEmpty() && plan.weights().isEmpty()) {
      throw new OptionException("nothing_to_quantize",
          a -> "the model has no Conv, ConvTranspose, Gemm, MatMul or pooling input left to quantize"
              + (request.exclude().isEmpty() ? "" : " after " + RequestOption.EXCLUDE.in(a)));
    }
    DataSplit split = DataSplit.of(request.data(), request.maxEvalSamples());
    // The FP32 reference runs first: a model ONNX Runtime cannot run fails here, before any calibration work.
    AccuracyEvaluation evaluation =
        new AccuracyEvaluation(
            original, inputs, split.evalData(), split.evaluation(), split.heldOut(), split.description(),
            request.boxesOutput(), request.threads(), progress);
    Calibrator.Statistics stats =
        Calibrator.collect(
            model, plan.activations().keySet(), inputs, request.data(), split.calibration(), request.threads(), progress,
            limit);
    if (stats.samples() < split.calibration().size()) {
      notes.add("calibration stopped by the time budget after " + stats.samples() + " of "
          + split.calibration().size() + " samples: the scales come from those " + stats.samples());
    }
    stats.nonFloat().forEach((t, type) -> notes.add("tensor '" + t + "' is " + type + ", not FLOAT: left unquantized"));
    if (!split.heldOut()) {
      notes.add("accuracy measured on the calibration sample itself: give two or more samples for held-out figures");
    }
    return new Prepared(original, model, inputs, plan, split, stats, evaluation, notes, sha256OfFile(request.model()));
  }

  record Prepared(
      ModelProto original, ModelProto model, List<ModelInput> inputs, QdqPlacement.Plan plan, DataSplit split,
      Calibrator.Statistics stats, AccuracyEvaluation evaluation, List<String> notes, String sourceSha256) {

    Map<String, Double> amax(QuantizeRequest request) {
      Map<String, Double> amax = new LinkedHashMap<>();
      stats.histograms().forEach((t, h) -> amax.put(t, request.method().amax(h, request.percentile())));
      return amax;
    }

    List<QuantizeResult.TensorRange> ranges(Map<String, Double> amax) {
      List<QuantizeResult.TensorRange> out = new ArrayList<>();
      stats.histograms().forEach((t, h) -> out.add(QuantizeResult.TensorRange.of(t, h, amax.get(t))));
      return out;
    }

    /**
     * A note for every quantized activation whose range saturates more than {@link #CLIPPED_NOTE_SHARE} of its
     * non-zero calibration values. The KL search of TensorRT's entropy calibrator can give up the top of a
     * two-mode tensor (measured: 15-16% of a normalised image input, docs/quantization.md), and a user-chosen
     * percentile clips what it is told to; either can cost accuracy that nothing else in the result points at.
     */
    static List<String> clippingNotes(
        List<QuantizeResult.TensorRange> ranges, QdqPlacement.Plan chosen, String method) {
      List<String> notes = new ArrayList<>();
      for (QuantizeResult.TensorRange r : ranges) {
        if (r.clippedShare() > CLIPPED_NOTE_SHARE && chosen.activations().containsKey(r.tensor())) {
          notes.add(String.format(Locale.ROOT,
              "tensor '%s': the %s range (amax %.4g, largest |x| %.4g) saturates at least %.1f%% of its non-zero "
                  + "calibration values; INT8 accuracy usually suffers. The percentile or minmax method, or keeping "
                  + "the nodes that read it in FP32, avoids it",
              r.tensor(), method, r.amax(), r.maxAbs(), 100 * r.clippedShare()));
        }
      }
      return notes;
    }

    /**
     * Writes {@code quantized} (made from {@code chosen}, its accuracy measured) atomically and describes it;
     * {@code startNanos} is when the whole request began.
     */
    QuantizeResult write(
        QuantizeRequest request, ModelProto quantized, QdqPlacement.Plan chosen, AccuracySummary accuracy,
        Map<String, Double> amax, long startNanos) {
      ModelFiles.writeAtomically(quantized, request.out());
      List<QuantizeResult.TensorRange> ranges = ranges(amax);
      List<String> allNotes = new ArrayList<>(notes);
      allNotes.addAll(clippingNotes(ranges, chosen, request.methodLabel()));
      return new QuantizeResult(
          request.model().toString(), request.out().toString(), sha256(request.out()), request.methodLabel(),
          request.data().description(), request.data().sha256(), stats.samples(),
          request.data().synthetic(), request.data().synthetic() ? SyntheticCalibrationSet.TIMING_ONLY : null,
          OpsetRequirement.defaultOpset(quantized), chosen.activations().size(), chosen.weights().size(),
          chosen.excludedNodes(), accuracy, explicitQuantization(request.out()), allNotes, ranges,
          (System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * The Q/DQ model for {@code chosen} (the full plan, or one reduced by sensitivity analysis), with the provenance
     * and any {@code extraMetadata} in {@code metadata_props}.
     */
    ModelProto rewrite(
        QdqPlacement.Plan chosen, QuantizeRequest request, Map<String, Double> amax, Map<String, String> extraMetadata) {
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put(META_QUANTIZATION, INT8_QDQ);
      meta.put(META_METHOD, request.methodLabel());
      meta.put(META_DATA, request.data().description());
      meta.put(META_DATA_SHA256, request.data().sha256());
      meta.put(META_SAMPLES, Integer.toString(stats.samples()));
      if (request.data().synthetic()) {
        meta.put(META_CAVEAT, SyntheticCalibrationSet.TIMING_ONLY);
      }
      meta.put(META_EXCLUDED, String.join(",", chosen.excludedNodes()));
      meta.put(META_SOURCE_SHA256, sourceSha256);
      meta.putAll(extraMetadata);
      return QdqRewriter.rewrite(model, chosen, amax, meta);
    }
  }

  /**
   * Whether a model's {@code metadata_props} say that its Q/DQ scales came from random samples ({@code --synthetic}):
   * what the matrix and {@code check} label "scales from random data: timing only".
   */
  public static boolean scalesFromRandomData(Map<String, String> metadata) {
    return SyntheticCalibrationSet.TIMING_ONLY.equals(metadata.get(META_CAVEAT));
  }

  /** The static checker's explicit-quantization verdict per release on the written model (read back from disk). */
  static List<ExplicitQuantizationVerdict> explicitQuantization(Path written) {
    return ExplicitQuantizationVerdict.of(CompatibilityChecker.bundled().check(OnnxModelReader.read(written)));
  }

  public static String sha256(Path file) {
    return sha256OfFile(file);
  }

  private static String sha256OfFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UserFacingException(
          UserFacingException.Kind.UNAVAILABLE, "model_unreadable", "cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
