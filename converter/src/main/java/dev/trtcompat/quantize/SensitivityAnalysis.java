package dev.trtcompat.quantize;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.trtcompat.errors.UserFacingException;
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
 * <p>The budget bounds the whole analysis, calibration included: ranking and search stop before a new model once it
 * is spent, and the result says how far they got. Calibration, the first (fully quantized) model and the final run of
 * the written model always run.
 */
public final class SensitivityAnalysis {

  /** The error measure: one number per model, 0 for outputs identical to FP32's. */
  public static final String METRIC = "1 - cosine similarity with FP32 (lowest over outputs and held-out samples)";

  public static final double DEFAULT_TARGET_ERROR = 0.01;
  public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(120);
  public static final String META_SENSITIVITY = Quantizer.META_PREFIX + "sensitivity";

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
        throw bad("--target-error must be above 0 and below 1 (it is 1 - cosine similarity), got " + targetError);
      }
      if (budget == null || budget.isNegative() || budget.isZero()) {
        throw bad("--budget must be a positive duration, got " + budget);
      }
    }

    /** {@code 120}, {@code 120s}, {@code 500ms}, {@code 5m}, {@code 1h}; a bare number is seconds. */
    public static Duration parseBudget(String text) {
      Matcher m = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?").matcher(text == null ? "" : text.strip());
      if (!m.matches()) {
        throw new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_budget",
            "--budget must be a duration such as 90s, 5m or 500ms, got '" + text + "'");
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
      throw bad("--sensitivity-mode must be one-at-a-time or leave-one-out, got '" + text + "'");
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
    long deadline = nanoTime.getAsLong() + options.budget().toNanos();
    Quantizer.Prepared p = new Quantizer().prepare(request, progress);
    Map<String, Double> amax = p.amax(request);
    QdqPlacement.Plan full = p.plan();
    GraphIndex g = new GraphIndex(p.model().getGraph());
    List<Integer> layers = new ArrayList<>(full.layers());
    String stoppedBy = null;

    AccuracySummary baseline = evaluate(p, request, amax, full, List.of(), 0);
    double baselineError = error(baseline);
    String phase = "ranking layers " + options.mode().wireName();
    progress.report(phase, 0, layers.size());
    List<LayerSensitivity> ranking = new ArrayList<>();
    for (int i : layers) {
      if (nanoTime.getAsLong() >= deadline) {
        stoppedBy = "budget spent while ranking: " + ranking.size() + " of " + layers.size() + " layers measured";
        break;
      }
      String label = QdqPlacement.nodeLabel(g.node(i), i);
      String op = g.node(i).getOpType();
      ranking.add(switch (options.mode()) {
        case ONE_AT_A_TIME -> new LayerSensitivity(label, i, op, error(p.evaluation().evaluate(
            p.rewrite(full.only(i), request, amax, Map.of()), "the model with only " + label + " in INT8",
            Progress.NONE)), null);
        case LEAVE_ONE_OUT -> {
          double e = error(p.evaluation().evaluate(
              p.rewrite(full.without(Set.of(i), List.of(label)), request, amax, Map.of()),
              "the INT8 model with " + label + " in FP32", Progress.NONE));
          yield new LayerSensitivity(label, i, op, e, baselineError - e);
        }
      });
      progress.report(phase, ranking.size(), layers.size());
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
      progress.report("choosing layers to keep in FP32", step, steps);
      if (nanoTime.getAsLong() >= deadline) {
        searchStop = "budget spent before choosing layers to keep in FP32";
      } else {
        tried.put(hi, evaluate(p, request, amax, full, ranking, hi));
        progress.report("choosing layers to keep in FP32", ++step, steps);
        if (error(tried.get(hi)) <= options.targetError()) {
          int lo = 1;
          while (lo < hi) {
            if (nanoTime.getAsLong() >= deadline) {
              searchStop = "budget spent while choosing layers to keep in FP32";
              break;
            }
            int mid = (lo + hi) / 2;
            double e = error(tried.computeIfAbsent(mid, k -> evaluate(p, request, amax, full, ranking, k)));
            progress.report("choosing layers to keep in FP32", Math.min(++step, steps), steps);
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

    int keep = tried.entrySet().stream().filter(e -> error(e.getValue()) <= options.targetError())
        .map(Map.Entry::getKey).findFirst()
        .orElseGet(() -> tried.entrySet().stream().min(Comparator.comparingDouble(e -> error(e.getValue())))
            .orElseThrow().getKey());
    List<LayerSensitivity> kept = ranking.subList(0, keep);
    QdqPlacement.Plan chosen = keptFp32(full, kept);
    String provenance = String.format(Locale.ROOT, "%d layer(s) kept in FP32 for a target error of %s (%s; layers"
        + " ranked %s)", keep, options.targetError(), METRIC, options.mode().wireName());
    ModelProto model = p.rewrite(chosen, request, amax, Map.of(META_SENSITIVITY, provenance));
    // The final run: the model exactly as it is written, measured again; its error is the one reported.
    AccuracySummary accuracy = p.evaluation().evaluate(model, "the recommended model (" + keep + " layer(s) in FP32)",
        progress);
    double error = error(accuracy);
    QuantizeResult written = p.write(request, model, chosen, accuracy, amax, start);
    List<Candidate> candidates =
        tried.entrySet().stream().map(e -> new Candidate(e.getKey(), error(e.getValue()))).toList();
    return new SensitivityResult(
        METRIC, options.mode(), options.targetError(), options.budget().toMillis() / 1000.0, baselineError,
        layers.size(), ranking.size(), stoppedBy == null, stoppedBy, ranking, candidates,
        kept.stream().map(LayerSensitivity::node).toList(), error, error <= options.targetError(), written,
        (System.nanoTime() - start) / 1e9);
  }

  /** The model with the {@code keep} most sensitive layers in FP32, measured on the held-out samples. */
  private static AccuracySummary evaluate(
      Quantizer.Prepared p, QuantizeRequest request, Map<String, Double> amax, QdqPlacement.Plan full,
      List<LayerSensitivity> ranking, int keep) {
    ModelProto m = p.rewrite(keptFp32(full, ranking.subList(0, keep)), request, amax, Map.of());
    return p.evaluation().evaluate(m, "the INT8 model with " + keep + " layer(s) in FP32", Progress.NONE);
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

  private static UserFacingException bad(String detail) {
    return new UserFacingException(UserFacingException.Kind.BAD_REQUEST, "invalid_sensitivity_request", detail);
  }
}
