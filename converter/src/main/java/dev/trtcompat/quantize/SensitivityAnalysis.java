package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.trtcompat.check.CompatibilityChecker;
import dev.trtcompat.onnx.proto.OnnxProtos.ModelProto;
import dev.trtcompat.quantize.SensitivityResult.Candidate;
import dev.trtcompat.quantize.SensitivityResult.LayerSensitivity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-layer INT8 sensitivity, what TensorRT users do by hand when a quantized model loses accuracy: calibrate once,
 * then measure one model per layer on the held-out samples on ONNX Runtime and rank the layers ({@link Mode}):
 * <ul>
 *   <li>one at a time: only that layer quantized, every other in FP32; ranked by the error it causes;
 *   <li>leave one out: every other layer quantized, that one kept in FP32; ranked by the error that removes from the
 *       fully quantized model. This sees what a layer costs among the others (errors that add up or cancel), which
 *       one-at-a-time misses, at the same cost of one model per layer.
 * </ul>
 * Then the recommendation: the fewest top-ranked layers to keep in FP32 for the rest of the model, quantized, to meet
 * a target error. The set is greedy, always a head of the ranking; its length is found by bisection, which assumes
 * that keeping more of the worst layers in FP32 does not raise the error: it checks that keeping every ranked layer
 * meets the target, then bisects on how many to keep. Every model tried is evaluated for real and reported; the one
 * written is the smallest tried that met the target (or, when none did, the one with the least error, reported as
 * missing the target), and it is measured once more as written: that final run's error is the one reported.
 *
 * <p>The budget bounds the whole analysis, each part from what the earlier ones measured: calibration stops early,
 * with the samples done so far, when another sample would end past {@link #CALIBRATION_SHARE} of the budget; ranking
 * and search start a model only when it and the write of the chosen model fit in what is left, a model estimated
 * from the longest one measured so far; the final run of the written model is skipped when it would not fit, its
 * error then the one measured on the same graph while choosing. The result lists what the budget cut. Loading the
 * model, the FP32 reference run, one calibration sample, the fully quantized model and the write always run: a
 * budget shorter than those is overrun by them.
 */
public final class SensitivityAnalysis {

  /** The error measure: one number per model, 0 for outputs identical to FP32's. */
  public static final String METRIC = "1 - cosine similarity with FP32 (lowest over outputs and held-out samples)";

  public static final double DEFAULT_TARGET_ERROR = 0.01;
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(120);
  public static final String META_SENSITIVITY = Quantizer.META_PREFIX + "sensitivity";

  /**
   * The share of the budget calibration may use, counted from the start (the FP32 reference run included): the rest
   * is for the fully quantized model, the ranking, the search and the final run. Half, because a ranking cut to a
   * few layers is worth as little as scales from a few samples.
   */
  static final double CALIBRATION_SHARE = 0.5;

  /**
   * @param targetError the highest acceptable error ({@link #METRIC}), above 0 and below 1 (cosine 0.99 is 0.01)
   * @param budget wall time for the whole analysis
   */
  public record Options(Mode mode, double targetError, Duration budget) {

    /** One layer at a time. */
    public Options(double targetError, Duration budget) {
      this(Mode.ONE_AT_A_TIME, targetError, budget);
    }

    public Options {
      mode = mode == null ? Mode.ONE_AT_A_TIME : mode;
      if (!(targetError > 0 && targetError < 1)) {
        throw bad(RequestOption.TARGET_ERROR,
            " must be above 0 and below 1 (it is 1 - cosine similarity), got " + targetError);
      }
      if (budget == null || budget.isNegative() || budget.isZero()) {
        throw bad(RequestOption.BUDGET, " must be a positive duration, got " + budget);
      }
    }

    /** {@code 120}, {@code 120s}, {@code 500ms}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    public static Duration parseBudget(String text) {
      Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?").matcher(text == null ? "" : text.strip());
      if (!m.matches()) {
        throw OptionException.of(
            "invalid_budget", RequestOption.BUDGET, " must be a duration such as 90s, 5m or 500ms, got '" + text + "'");
      }
      double v = Double.parseDouble(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      double millis = v * switch (unit) {
        case "ms" -> 1;
        case "m" -> 60_000;
        case "h" -> 3_600_000;
        default -> 1_000;
      };
      return Duration.ofMillis(Math.round(millis));
    }

    public static Options defaults() {
      return new Options(Mode.ONE_AT_A_TIME, DEFAULT_TARGET_ERROR, DEFAULT_BUDGET);
    }
  }

  /** How each layer's model is made, and what the ranking orders by. */
  public enum Mode {
    /** Only the layer quantized; ranked by the error it causes. */
    ONE_AT_A_TIME("one-at-a-time"),
    /** Every layer but this one quantized; ranked by the error keeping it in FP32 removes. */
    LEAVE_ONE_OUT("leave-one-out");

    private final String wireName;

    Mode(String wireName) {
      this.wireName = wireName;
    }

    @JsonValue
    public String wireName() {
      return wireName;
    }

    /** {@code one-at-a-time} or {@code leave-one-out}; anything else is a bad request naming both. */
    @JsonCreator
    public static Mode parse(String text) {
      for (Mode m : values()) {
        if (m.wireName.equalsIgnoreCase(text == null ? "" : text.strip())) {
          return m;
        }
      }
      throw bad(RequestOption.SENSITIVITY_MODE, " must be one-at-a-time or leave-one-out, got '" + text + "'");
    }
  }

  private final LongSupplier nanoTime;

  public SensitivityAnalysis() {
    this(System::nanoTime);
  }

  /** With a clock for tests of the budget. */
  SensitivityAnalysis(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  public SensitivityResult run(QuantizeRequest request, Options options, Progress progress) {
    long start = System.nanoTime();
    TimeBudget budget = new TimeBudget(nanoTime, options.budget());
    // The static checker judges the written model at the end; its knowledge base loads in the background meanwhile
    // (seconds in a fresh JVM) instead of after the last model, where the budget could not see it coming.
    CompatibilityChecker.bundled();
    Progress shown = budget.showingLeft(progress);
    List<String> cuts = new ArrayList<>();
    Quantizer.Prepared p = new Quantizer().prepare(request, shown, budget.calibrationUpTo(CALIBRATION_SHARE));
    int planned = p.split().calibration().size();
    String calibration = p.stats().samples() < planned
        ? "calibration: " + p.stats().samples() + " of " + planned + " samples (the scales come from those)"
        : null;
    if (calibration != null) {
      cuts.add(calibration);
    }
    Map<String, Double> amax = p.amax(request);
    QdqPlacement.Plan full = p.plan();
    GraphIndex g = new GraphIndex(p.model().getGraph());
    List<Integer> layers = new ArrayList<>(full.layers());
    // What the static checker takes on the source model: with the rewrite, the estimate of writing the chosen one.
    long checkStart = budget.now();
    try {
      Quantizer.explicitQuantization(request.model());
    } catch (RuntimeException e) {
      // Only a timing probe: the verdict that counts is the one on the written model, which reports its own errors.
    }
    Candidates models = new Candidates(p, request, amax, budget, budget.now() - checkStart);
    String stoppedBy = null;

    // The fully quantized model always runs: without it there is nothing to rank against or to write.
    AccuracySummary baseline = models.measure(full, "the fully quantized model", shown);
    double baselineError = error(baseline);
    String phase = "ranking layers " + options.mode().wireName();
    shown.report(phase, 0, layers.size());
    List<LayerSensitivity> ranking = new ArrayList<>();
    for (int i : layers) {
      if (!models.anotherFits()) {
        stoppedBy = "budget spent while ranking: " + ranking.size() + " of " + layers.size() + " layers measured ("
            + models.why() + ")";
        break;
      }
      String label = QdqPlacement.nodeLabel(g.node(i), i);
      String op = g.node(i).getOpType();
      ranking.add(switch (options.mode()) {
        case ONE_AT_A_TIME -> new LayerSensitivity(label, i, op, error(models.measure(
            full.only(i), "the model with only " + label + " in INT8", Progress.NONE)), null);
        case LEAVE_ONE_OUT -> {
          double e = error(models.measure(
              full.without(Set.of(i), List.of(label)), "the INT8 model with " + label + " in FP32", Progress.NONE));
          yield new LayerSensitivity(label, i, op, e, baselineError - e);
        }
      });
      shown.report(phase, ranking.size(), layers.size());
    }
    ranking.sort(Comparator.comparingDouble(LayerSensitivity::impact).reversed());

    // Candidates by the number of top-ranked layers kept in FP32; 0 is the fully quantized model.
    TreeMap<Integer, AccuracySummary> tried = new TreeMap<>();
    tried.put(0, baseline);
    if (baselineError > options.targetError() && !ranking.isEmpty()) {
      int hi = ranking.size();
      int steps = 1 + (int) Math.ceil(Math.log(hi) / Math.log(2));
      int step = 0;
      String searchStop = null;
      shown.report("choosing layers to keep in FP32", step, steps);
      if (!models.anotherFits()) {
        searchStop = "budget spent before choosing layers to keep in FP32 (" + models.why() + ")";
      } else {
        tried.put(hi, models.keeping(full, ranking, hi));
        shown.report("choosing layers to keep in FP32", ++step, steps);
        if (error(tried.get(hi)) <= options.targetError()) {
          int lo = 1;
          while (lo < hi) {
            if (!models.anotherFits()) {
              searchStop = "budget spent while choosing layers to keep in FP32 (" + models.why() + ")";
              break;
            }
            int mid = (lo + hi) / 2;
            double e = error(tried.computeIfAbsent(mid, k -> models.keeping(full, ranking, k)));
            shown.report("choosing layers to keep in FP32", Math.min(++step, steps), steps);
            if (e <= options.targetError()) {
              hi = mid;
            } else {
              lo = mid + 1;
            }
          }
        }
      }
      if (stoppedBy == null) {
        stoppedBy = searchStop;
      }
    }
    if (stoppedBy != null) {
      cuts.add(stoppedBy.replaceFirst("^budget spent ", ""));
    }

    int keep = tried.entrySet().stream().filter(e -> error(e.getValue()) <= options.targetError())
        .map(Map.Entry::getKey).findFirst()
        .orElseGet(() -> tried.entrySet().stream().min(Comparator.comparingDouble(e -> error(e.getValue())))
            .orElseThrow().getKey());
    List<LayerSensitivity> kept = ranking.subList(0, keep);
    QdqPlacement.Plan chosen = keptFp32(full, kept);
    String provenance = String.format(Locale.ROOT, "%d layer(s) kept in FP32 for a target error of %s (%s; layers"
        + " ranked %s)%s", keep, options.targetError(), METRIC, options.mode().wireName(),
        calibration == null ? "" : "; cut by the time budget: " + calibration);
    ModelProto model = p.rewrite(chosen, request, amax, Map.of(META_SENSITIVITY, provenance));
    // The final run: the model exactly as it is written, measured again; its error is the one reported. When it
    // would overrun the budget, the measurement of the same graph taken while choosing stands in for it.
    boolean remeasured = models.anotherFits();
    AccuracySummary accuracy;
    if (remeasured) {
      accuracy = p.evaluation().evaluate(model, "the recommended model (" + keep + " layer(s) in FP32)", shown);
    } else {
      cuts.add("final run of the written model skipped (" + models.why() + "): its error is the one measured on the"
          + " same graph while choosing");
      accuracy = tried.get(keep);
    }
    double error = error(accuracy);
    QuantizeResult written = p.write(request, model, chosen, accuracy, amax, start);
    List<Candidate> candidates =
        tried.entrySet().stream().map(e -> new Candidate(e.getKey(), error(e.getValue()))).toList();
    return new SensitivityResult(
        METRIC, options.mode(), options.targetError(), options.budget().toMillis() / 1000.0, baselineError,
        layers.size(), ranking.size(), stoppedBy == null, stoppedBy, cuts, ranking, candidates,
        kept.stream().map(LayerSensitivity::node).toList(), error, remeasured, error <= options.targetError(), written,
        (System.nanoTime() - start) / 1e9);
  }

  /**
   * Rewrites and measures candidate models on the budget's clock, keeping the longest a model has taken so far: the
   * estimate for the next one, and for the final run of the model written.
   */
  private static final class Candidates {
    private final Quantizer.Prepared p;
    private final QuantizeRequest request;
    private final Map<String, Double> amax;
    private final TimeBudget budget;
    private final long sourceCheckNanos;
    private long modelNanos;
    private long rewriteNanos;
    private int nodes;

    Candidates(
        Quantizer.Prepared p, QuantizeRequest request, Map<String, Double> amax, TimeBudget budget,
        long sourceCheckNanos) {
      this.p = p;
      this.request = request;
      this.amax = amax;
      this.budget = budget;
      this.sourceCheckNanos = sourceCheckNanos;
    }

    AccuracySummary measure(QdqPlacement.Plan plan, String label, Progress progress) {
      long t0 = budget.now();
      ModelProto m = p.rewrite(plan, request, amax, Map.of());
      long t1 = budget.now();
      AccuracySummary a = p.evaluation().evaluate(m, label, progress);
      long t2 = budget.now();
      rewriteNanos = Math.max(rewriteNanos, t1 - t0);
      nodes = Math.max(nodes, m.getGraph().getNodeCount());
      modelNanos = Math.max(modelNanos, t2 - t0);
      return a;
    }

    /** The model with the {@code keep} most sensitive layers in FP32, measured on the held-out samples. */
    AccuracySummary keeping(QdqPlacement.Plan full, List<LayerSensitivity> ranking, int keep) {
      return measure(keptFp32(full, ranking.subList(0, keep)), "the INT8 model with " + keep + " layer(s) in FP32",
          Progress.NONE);
    }

    /** Whether one more model, then writing the chosen one, ends within the budget. */
    boolean anotherFits() {
      return budget.fits(modelNanos + writeNanos());
    }

    /**
     * Writing the chosen model: building, serialising and parsing it back (each about what a rewrite took), then the
     * static checker's verdict on it: what the check of the source model took, scaled by the Q/DQ model's larger node
     * count (the checker's work grows with the nodes; measured on MobileNetV2, it is most of the write).
     */
    private long writeNanos() {
      int sourceNodes = Math.max(1, p.original().getGraph().getNodeCount());
      return 3 * rewriteNanos + sourceCheckNanos * Math.max(nodes, sourceNodes) / sourceNodes;
    }

    /** Why another model does not fit, in figures. */
    String why() {
      return String.format(Locale.ROOT, "a model and the write take about %.1f s, %.1f s left",
          (modelNanos + writeNanos()) / 1e9, budget.leftNanos() / 1e9);
    }
  }

  private static QdqPlacement.Plan keptFp32(QdqPlacement.Plan full, List<LayerSensitivity> kept) {
    Set<Integer> nodes = new LinkedHashSet<>();
    kept.forEach(l -> nodes.add(l.index()));
    return full.without(nodes, kept.stream().map(LayerSensitivity::node).toList());
  }

  /**
   * {@link #METRIC}. Outputs with no sample of matching size (variable detections) do not count; an undefined
   * cosine counts as the worst error.
   */
  static double error(AccuracySummary a) {
    double c = a.worstCosine();
    return Double.isNaN(c) ? 2 : Math.max(0, 1 - c);
  }

  private static OptionException bad(RequestOption option, String rest) {
    return OptionException.of("invalid_sensitivity_request", option, rest);
  }
}
