package dev.trtcompat.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trtcompat.check.CompatibilityReport;
import dev.trtcompat.check.Finding;
import dev.trtcompat.check.PrecisionResult;
import dev.trtcompat.check.ReleaseResult;
import dev.trtcompat.check.Verdict;
import dev.trtcompat.images.TensorRtImage;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellKind;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.matrix.MatrixReport.Measured;
import dev.trtcompat.matrix.MatrixReport.Predicted;
import dev.trtcompat.matrix.MatrixReport.Reason;
import dev.trtcompat.matrix.MatrixReport.Reference;
import dev.trtcompat.matrix.MatrixReport.Row;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.quantize.Quantizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Puts the static check, the latest job's cells, the container catalog and the reference row into one report. */
final class MatrixAssembly {

  static final List<String> PRECISIONS = Precision.COLUMNS.stream().map(Precision::wireName).toList();

  private static final ObjectMapper JSON = Json.mapper();

  private MatrixAssembly() {}

  static MatrixReport assemble(String modelId, String fileName, CompatibilityReport check, Optional<Job> job,
      TensorRtImageCatalog images, Reference reference) {
    Map<String, Map<String, Cell>> measured = new LinkedHashMap<>();
    boolean best = false;
    for (Cell c : job.map(Job::cells).orElse(List.of())) {
      if (c.spec().kind() != CellKind.TRT_CONVERSION) {
        continue;
      }
      best |= c.spec().precision() == Precision.BEST;
      measured.computeIfAbsent(c.spec().trtRelease(), k -> new LinkedHashMap<>())
          .put(c.spec().precision().wireName(), c);
    }
    List<String> precisions = new ArrayList<>(PRECISIONS);
    if (best) {
      precisions.add(Precision.BEST.wireName());
    }
    List<Row> rows = new ArrayList<>();
    List<Integer> failing = new ArrayList<>();
    boolean randomScales = Quantizer.scalesFromRandomData(check.model().metadata());
    for (ReleaseResult rr : check.results()) {
      Predicted base = predicted(rr);
      rows.add(row(rr.tensorrt(), true, rr.derived() ? rr.derivedFrom() : null, verdict(rr.verdict()), base,
          rr.precisions(), precisions, measured.remove(rr.tensorrt()), images, failing, randomScales));
    }
    // Releases the job ran that the knowledge base lacks: shown with an unknown prediction, never dropped.
    String newest = check.results().isEmpty() ? null : check.results().get(check.results().size() - 1).tensorrt();
    TreeSet<String> extra = new TreeSet<>(Comparator.comparing(MatrixAssembly::releaseKey));
    extra.addAll(measured.keySet());
    for (String release : extra) {
      Predicted p = new Predicted("unknown", List.of(new Reason("info", "TensorRT " + release
          + " is not in the knowledge base" + (newest == null ? "" : " (its newest release is " + newest + ")")
          + ", so there is no prediction.", null, null)), List.of(), false, false, null);
      rows.add(row(release, false, null, "unknown", p, Map.of(), precisions, measured.get(release), images, failing,
          randomScales));
    }
    return new MatrixReport(modelId, fileName, job.map(Job::id).orElse(null),
        job.map(j -> j.createdAt().toString()).orElse(null), job.map(Job::unfinished).orElse(false),
        precisions, rows, reference, failing.stream().distinct().sorted().toList(), check.gpu());
  }

  private static Row row(String release, boolean inKb, String derivedFrom, String verdict, Predicted base,
      Map<String, PrecisionResult> columns, List<String> precisions, Map<String, Cell> cells,
      TensorRtImageCatalog images, List<Integer> failing, boolean randomScales) {
    Optional<TensorRtImage> image = images.newestFor(release);
    List<MatrixReport.Cell> out = new ArrayList<>();
    for (String precision : precisions) {
      PrecisionResult column = columns.get(precision);
      Predicted p = column == null ? withNotes(base, precision)
          : predicted(column, base, randomScales && "int8".equals(precision));
      Cell cell = cells == null ? null : cells.get(precision);
      Measured m = cell == null ? null : measured(cell);
      if (m != null && m.failingNode() != null && "failed".equals(m.state())) {
        failing.add(m.failingNode());
      }
      out.add(new MatrixReport.Cell(precision, p, m, contradiction(release, p, m)));
    }
    return new Row(release, image.map(TensorRtImage::tag).orElse(null),
        image.map(TensorRtImage::cudaVersion).filter(c -> !c.isEmpty()).orElse(null), inKb, derivedFrom, verdict, out);
  }

  /** The page's and CSV's short verdict names: compatible_with_warnings reads as "warnings". */
  static String verdict(Verdict v) {
    return v == Verdict.COMPATIBLE_WITH_WARNINGS ? "warnings" : v.json();
  }

  private static Predicted predicted(ReleaseResult rr) {
    return new Predicted(verdict(rr.verdict()), reasons(rr.findings()), List.of(), false, false, null);
  }

  private static List<Reason> reasons(List<Finding> findings) {
    List<Reason> reasons = new ArrayList<>();
    findings.stream()
        .sorted(Comparator.comparing(Finding::severity))
        .forEach(f -> reasons.add(new Reason(f.severity().json(), f.message(), f.nodeIndex(), f.node())));
    return reasons;
  }

  /**
   * One precision column: its own findings first (they are what differs from the next column), then the parse.
   *
   * @param randomScales the INT8 column of a Q/DQ model whose scales came from random samples (its metadata says so);
   *     a release that cannot read the Q/DQ scales is placeholder scales all the same
   */
  private static Predicted predicted(PrecisionResult column, Predicted parse, boolean randomScales) {
    List<Reason> reasons = new ArrayList<>(reasons(column.findings()));
    reasons.addAll(parse.reasons());
    boolean placeholder = column.findings().stream().anyMatch(f -> f.rule().equals("int8.placeholder_scales"));
    return new Predicted(verdict(column.verdict()), reasons, List.of("Assumes " + column.assumes() + "."),
        placeholder, randomScales && !placeholder, column.assumes());
  }

  /** A column the checker does not judge per precision (BEST): the release's prediction with what BEST means. */
  private static Predicted withNotes(Predicted base, String precision) {
    List<String> notes = "best".equals(precision)
        ? List.of("BEST lets TensorRT pick FP32, FP16 or INT8 per layer, whichever is fastest; the prediction is "
            + "the parser's, see the FP16 and INT8 columns for what those precisions add.")
        : List.of();
    return new Predicted(base.verdict(), base.reasons(), notes, false, false, base.assumes());
  }

  static Measured measured(Cell cell) {
    JsonNode r = parse(cell.resultJson());
    JsonNode log = r.path("log");
    JsonNode latency = log.path("latencyMs");
    String sha = text(r.path("engine").path("sha256"));
    List<String> notes = new ArrayList<>();
    r.path("notes").forEach(n -> notes.add(n.asText()));
    return new Measured(cell.id(), cell.state().name().toLowerCase(Locale.ROOT), cell.reason(), text(r.path("outcome")),
        number(log.path("buildTimeSeconds")), number(latency.path("median")), number(latency.path("p99")),
        number(log.path("throughputQps")), whole(log.path("engineBytes"), r.path("engine").path("bytes")),
        text(log.path("gpu").path("name")), sha, sha == null ? null : "/api/v1/engines/" + sha,
        cell.logPath() == null ? null : "/api/v1/cells/" + cell.id() + "/log",
        r.path("accuracy").path("passed").isBoolean() ? r.path("accuracy").path("passed").asBoolean() : null,
        failingNode(r), text(r.path("qdqEvidence").path("state")), text(r.path("qdqEvidence").path("message")), notes);
  }

  /** The model's node where the parser stopped: the matched model node when the log's index fits the file. */
  private static Integer failingNode(JsonNode r) {
    JsonNode node = r.path("modelNode");
    if (node.isObject()) {
      if (node.path("found").asBoolean(false)) {
        return node.path("position").asInt();
      }
      return node.path("elsewhereIndex").isInt() ? node.path("elsewhereIndex").asInt() : null;
    }
    JsonNode logged = r.path("log").path("failingNode").path("index");
    return logged.isInt() ? logged.asInt() : null;
  }

  private static String contradiction(String release, Predicted p, Measured m) {
    if (m == null) {
      return null;
    }
    boolean built = "success".equals(m.outcome()) || (m.outcome() == null && "succeeded".equals(m.state()));
    if ("incompatible".equals(p.verdict()) && built) {
      return "Predicted incompatible, yet TensorRT " + release
          + " built an engine: the static rules may be too strict for this model.";
    }
    boolean accepted = "compatible".equals(p.verdict()) || "warnings".equals(p.verdict());
    if (accepted && "parse_failure".equals(m.outcome())) {
      return "Predicted compatible, yet TensorRT " + release + "'s ONNX parser rejected the model"
          + (m.failingNode() == null ? "" : " at node #" + m.failingNode()) + ".";
    }
    return null;
  }

  private static JsonNode parse(String json) {
    if (json == null || json.isBlank()) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      return JSON.missingNode(); // an unreadable result shows as a cell without figures
    }
  }

  private static String text(JsonNode n) {
    return n.isValueNode() && !n.isNull() ? n.asText() : null;
  }

  private static Double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : null;
  }

  private static Long whole(JsonNode first, JsonNode second) {
    return first.isNumber() ? Long.valueOf(first.asLong()) : second.isNumber() ? Long.valueOf(second.asLong()) : null;
  }

  private static String releaseKey(String release) {
    String[] p = release.split("\\.");
    return String.format(Locale.ROOT, "%05d.%05d", Integer.parseInt(p[0]), Integer.parseInt(p[1]));
  }
}
