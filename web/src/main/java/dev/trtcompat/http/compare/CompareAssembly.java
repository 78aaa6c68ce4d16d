package dev.trtcompat.http.compare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trtcompat.cost.ModelCost;
import dev.trtcompat.http.compare.CompareReport.Cell;
import dev.trtcompat.http.compare.CompareReport.Choice;
import dev.trtcompat.http.compare.CompareReport.Column;
import dev.trtcompat.http.compare.CompareReport.ModelRow;
import dev.trtcompat.http.compare.CompareReport.Speedup;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.precision.Precision;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** Builds a {@link CompareReport} from each model's matrix report: the matrix decides every cell, this arranges. */
final class CompareAssembly {

  static final String ACCURACY_MEASURE =
      "largest absolute difference between the engine's outputs and the ONNX Runtime CPU reference on the same inputs";

  /** What is known of one model before arranging. */
  record ModelInput(String modelId, String fileName, String label, MatrixReport matrix, Optional<Job> job,
      ModelCost cost) {}

  private CompareAssembly() {}

  static CompareReport assemble(CompareQuery q, List<ModelInput> models) {
    List<String> releases = q.releases().isEmpty() ? defaultReleases(models) : q.releases();
    List<String[]> keys = new ArrayList<>();
    for (String r : releases) {
      for (Precision p : q.precisions()) {
        keys.add(new String[] {r, p.wireName()});
      }
    }
    List<ModelRow> rows = new ArrayList<>();
    for (ModelInput m : models) {
      if (q.label() != null && !q.label().equals(m.label())) {
        continue;
      }
      rows.add(row(m, keys, releases, q.maxError()));
    }
    // Fastest per column among the models that convert there.
    List<Column> columns = new ArrayList<>();
    Map<String, String> fastest = new HashMap<>();
    for (String[] k : keys) {
      String key = k[0] + "/" + k[1];
      ModelRow best = null;
      for (ModelRow r : rows) {
        Cell c = r.cell(key);
        if (c.converts() && c.medianMs() != null && (best == null || c.medianMs() < best.cell(key).medianMs())) {
          best = r;
        }
      }
      columns.add(new Column(key, k[0], k[1], best == null ? null : best.modelId()));
      if (best != null) {
        fastest.put(key, best.modelId());
      }
    }
    rows = rows.stream().map(r -> markFastest(r, fastest)).toList();
    rows = sorted(rows, q);
    Choice overall = rows.stream().map(ModelRow::best).filter(b -> b != null)
        .min(Comparator.comparingDouble(Choice::medianLatencyMs)).orElse(null);
    String chart = q.chart() != null ? q.chart() : releases.isEmpty() ? null : releases.get(0);
    boolean unfinished = rows.stream().anyMatch(ModelRow::jobUnfinished);
    return new CompareReport(columns, q.maxError(), ACCURACY_MEASURE, ModelCost.NOT_COUNTED, q.sort(), q.descending(),
        q.label(), q.groupByLabel(), rows, overall, chart, unfinished);
  }

  /** The releases any model's latest job measured, in the matrix's row order; else the newest known release. */
  private static List<String> defaultReleases(List<ModelInput> models) {
    if (models.isEmpty()) {
      return List.of();
    }
    Set<String> measured = new LinkedHashSet<>();
    String newest = null;
    for (ModelInput m : models) {
      for (MatrixReport.Row row : m.matrix().rows()) {
        if (row.inKnowledgeBase()) {
          newest = row.tensorrt();
        }
        if (row.cells().stream().anyMatch(c -> c.measured() != null)) {
          measured.add(row.tensorrt());
        }
      }
    }
    if (measured.isEmpty()) {
      return newest == null ? List.of() : List.of(newest);
    }
    // Every matrix lists the same knowledge-base releases: take the first's order, then releases beyond it.
    List<String> order = new ArrayList<>();
    for (MatrixReport.Row row : models.get(0).matrix().rows()) {
      if (measured.remove(row.tensorrt())) {
        order.add(row.tensorrt());
      }
    }
    order.addAll(measured);
    return order;
  }

  private static ModelRow row(ModelInput m, List<String[]> keys, List<String> releases, Double maxError) {
    Map<Long, JsonNode> accuracy = accuracyByCell(m.job());
    List<Cell> cells = new ArrayList<>();
    for (String[] k : keys) {
      cells.add(cell(m.matrix(), k[0], k[1], accuracy));
    }
    List<Speedup> speedups = new ArrayList<>();
    for (String release : releases) {
      Cell fp32 = cell(m.matrix(), release, "fp32", accuracy);
      for (String p : List.of("fp16", "int8")) {
        Cell c = cell(m.matrix(), release, p, accuracy);
        if (c.measured() == null && fp32.measured() == null) {
          continue;
        }
        Double speedup = fp32.medianMs() != null && c.medianMs() != null && c.medianMs() > 0
            ? fp32.medianMs() / c.medianMs() : null;
        speedups.add(new Speedup(release, p, c.label(), speedup, c.accuracyDelta(), c.accuracyPassed(),
            c.placeholderInt8()));
      }
    }
    Choice best = null;
    for (Cell c : cells) {
      if (c.medianMs() == null || !withinBound(c, maxError)) {
        continue;
      }
      if (best == null || c.medianMs() < best.medianLatencyMs()) {
        best = new Choice(m.modelId(), m.fileName(), c.tensorrt(), c.precision(), c.medianMs(),
            c.measured().p99LatencyMs(), c.measured().throughputQps(), c.accuracyDelta(), c.label(), c.timingOnly());
      }
    }
    ModelCost cost = m.cost();
    return new ModelRow(m.modelId(), m.fileName(), m.label(), cost == null ? null : cost.parameters(),
        cost == null ? null : cost.flops(), cost != null && cost.complete(), m.matrix().reference(),
        m.matrix().jobId(), m.matrix().jobUnfinished(), cells, speedups, best);
  }

  /**
   * Without a bound every measured engine qualifies on speed alone (a timing-only one says so in its choice). With
   * one, the engine's accuracy must have been checked and be within it, and must mean something: INT8 with
   * placeholder scales or with Q/DQ scales from random data never qualifies, however small its error happened to be.
   */
  private static boolean withinBound(Cell c, Double maxError) {
    if (maxError == null) {
      return true;
    }
    return !c.timingOnly() && c.accuracyDelta() != null && c.accuracyDelta() <= maxError;
  }

  private static Cell cell(MatrixReport matrix, String release, String precision, Map<Long, JsonNode> accuracy) {
    MatrixReport.Row row = matrix.rows().stream().filter(r -> r.tensorrt().equals(release)).findFirst().orElse(null);
    MatrixReport.Cell mc = row == null ? null
        : row.cells().stream().filter(c -> c.precision().equals(precision)).findFirst().orElse(null);
    String key = release + "/" + precision;
    if (mc == null) {
      return new Cell(key, release, precision, precision.toUpperCase(Locale.ROOT), row == null ? "unknown"
          : row.verdict(), null, null, null, false, false, false);
    }
    boolean placeholder = "int8".equals(precision) && mc.predicted().placeholderScales();
    boolean random = "int8".equals(precision) && mc.predicted().randomScales();
    JsonNode acc = mc.measured() == null ? null : accuracy.get(mc.measured().cellId());
    return new Cell(key, release, precision, mc.label(), mc.predicted().verdict(), mc.measured(), maxAbsError(acc),
        mc.measured() == null ? null : mc.measured().accuracyPassed(), placeholder, random, false);
  }

  /** Cell id to the {@code accuracy} object of its result, for the latest job's cells that ran a check. */
  private static Map<Long, JsonNode> accuracyByCell(Optional<Job> job) {
    Map<Long, JsonNode> out = new HashMap<>();
    for (dev.trtcompat.jobs.Cell c : job.map(Job::cells).orElse(List.of())) {
      String json = c.resultJson();
      if (json == null || json.isBlank() || !json.contains("\"accuracy\"")) {
        continue;
      }
      try {
        JsonNode a = Json.mapper().readTree(json).path("accuracy");
        if (a.isObject()) {
          out.put(c.id(), a);
        }
      } catch (IOException e) {
        // An unreadable result shows as a cell without an accuracy figure, as in the matrix.
      }
    }
    return out;
  }

  private static Double maxAbsError(JsonNode accuracy) {
    if (accuracy == null) {
      return null;
    }
    Double max = null;
    for (JsonNode o : accuracy.path("outputs")) {
      JsonNode e = o.path("maxAbsError");
      if (e.isNumber() && !Double.isNaN(e.asDouble())) {
        max = max == null ? e.asDouble() : Math.max(max, e.asDouble());
      }
    }
    return max;
  }

  private static ModelRow markFastest(ModelRow r, Map<String, String> fastest) {
    List<Cell> cells = r.cells().stream().map(c -> r.modelId().equals(fastest.get(c.column()))
        ? new Cell(c.column(), c.tensorrt(), c.precision(), c.label(), c.predicted(), c.measured(), c.accuracyDelta(),
            c.accuracyPassed(), c.placeholderInt8(), c.randomScalesInt8(), true)
        : c).toList();
    return new ModelRow(r.modelId(), r.fileName(), r.label(), r.parameters(), r.flops(), r.flopsComplete(),
        r.reference(), r.jobId(), r.jobUnfinished(), cells, r.speedups(), r.best());
  }

  /** Rows in the query's order; missing values last whichever the direction; ties keep the given order. */
  static List<ModelRow> sorted(List<ModelRow> rows, CompareQuery q) {
    List<ModelRow> out = new ArrayList<>(rows);
    Comparator<ModelRow> order = null;
    if (q.sort() != null) {
      order = switch (q.sort()) {
        case "model" -> nullsLast(ModelRow::fileName, q.descending());
        case "label" -> nullsLast(ModelRow::label, q.descending());
        case "params" -> nullsLast(ModelRow::parameters, q.descending());
        case "flops" -> nullsLast(ModelRow::flops, q.descending());
        case "cpu" -> nullsLast(r -> r.reference() == null || !"succeeded".equals(r.reference().state()) ? null
            : r.reference().medianLatencyMs(), q.descending());
        default -> nullsLast(r -> {
          Cell c = r.cell(q.sort());
          return c == null ? null : c.medianMs();
        }, q.descending());
      };
    }
    if (q.groupByLabel()) {
      Comparator<ModelRow> byLabel = nullsLast(ModelRow::label, false);
      order = order == null ? byLabel : byLabel.thenComparing(order);
    }
    if (order != null) {
      out.sort(order);
    }
    return out;
  }

  private static <T extends Comparable<T>> Comparator<ModelRow> nullsLast(Function<ModelRow, T> key, boolean desc) {
    Comparator<T> natural = desc ? Comparator.<T>reverseOrder() : Comparator.<T>naturalOrder();
    return Comparator.comparing(key, Comparator.nullsLast(natural));
  }
}
