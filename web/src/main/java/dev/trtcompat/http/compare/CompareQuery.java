package dev.trtcompat.http.compare;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.precision.Precision;
import dev.trtcompat.trtexec.TensorRtRelease;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a comparison shows, as read from the URL so that every view is shareable and bookmarkable: the models, the
 * release x precision columns, the accuracy bound, the sort, the label filter and grouping, and the chart's
 * release. Repeated parameters and comma-separated lists are both accepted ({@code models=a,b} or {@code
 * models=a&models=b}).
 *
 * @param releases empty: the releases the models' latest jobs measured, else the newest known release
 * @param maxError the accuracy bound for "best choice": an engine's largest absolute output error against the CPU
 *     reference; null for no bound
 * @param sort a column key: {@code model}, {@code label}, {@code params}, {@code flops}, {@code cpu}, or
 *     {@code RELEASE/PRECISION} (that column's median latency)
 * @param label only models with this label; null for all
 * @param chart the release the chart draws; null for the first column's
 */
public record CompareQuery(List<String> models, List<String> releases, List<Precision> precisions, Double maxError,
    String sort, boolean descending, String label, boolean groupByLabel, String chart) {

  public static final int MIN_MODELS = 2;
  public static final int MAX_MODELS = 20;
  static final List<Precision> DEFAULT_PRECISIONS = List.of(Precision.FP32, Precision.FP16, Precision.INT8);
  private static final Pattern MODEL_ID = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SORT = Pattern.compile("model|label|params|flops|cpu|\\d{1,3}\\.\\d{1,3}/[a-z0-9]{2,5}");

  public CompareQuery {
    models = List.copyOf(models);
    releases = List.copyOf(releases);
    precisions = List.copyOf(precisions.isEmpty() ? DEFAULT_PRECISIONS : precisions);
  }

  /** Reads the query string; BAD_REQUEST naming the parameter for anything malformed. */
  public static CompareQuery parse(Map<String, List<String>> params) {
    List<String> models = new ArrayList<>(new LinkedHashSet<>(list(params, "models")));
    for (String id : models) {
      if (!MODEL_ID.matcher(id).matches()) {
        throw bad("invalid_model_id", "'" + shorten(id) + "' is not a model id: ids are the 64 hex digits returned by"
            + " POST /api/v1/models");
      }
    }
    if (models.size() < MIN_MODELS || models.size() > MAX_MODELS) {
      throw bad("model_count", "A comparison takes " + MIN_MODELS + " to " + MAX_MODELS
          + " different models (models=ID,ID,...); got " + models.size() + ".");
    }
    List<String> releases = new ArrayList<>();
    for (String r : list(params, "trt")) {
      try {
        String release = TensorRtRelease.parse(r).toString();
        if (!releases.contains(release)) {
          releases.add(release);
        }
      } catch (RuntimeException e) {
        throw bad("invalid_release", "'" + shorten(r) + "' is not a TensorRT release like 8.6 or 10.0.");
      }
    }
    List<Precision> precisions = new ArrayList<>();
    for (String p : list(params, "precision")) {
      Precision precision = Precision.find(p).orElseThrow(() -> bad("invalid_precision",
          "'" + shorten(p) + "' is not a precision; expected fp32, fp16, int8 or best."));
      if (!precisions.contains(precision)) {
        precisions.add(precision);
      }
    }
    if (releases.size() * Math.max(1, precisions.size()) > 64) {
      throw bad("too_many_columns", "At most 64 release x precision columns.");
    }
    Double maxError = null;
    String bound = first(params, "maxError");
    if (bound != null && !bound.isBlank()) {
      try {
        maxError = Double.parseDouble(bound.trim());
      } catch (NumberFormatException e) {
        maxError = Double.NaN;
      }
      if (maxError.isNaN() || maxError < 0 || maxError.isInfinite()) {
        throw bad("invalid_max_error", "'maxError' must be a non-negative number, e.g. 0.01.");
      }
    }
    String sort = first(params, "sort");
    if (sort != null && (sort.isBlank() || !SORT.matcher(sort).matches())) {
      throw bad("invalid_sort", "'sort' must be model, label, params, flops, cpu or RELEASE/PRECISION like 8.6/fp16.");
    }
    String dir = first(params, "dir");
    if (dir != null && !dir.equals("asc") && !dir.equals("desc")) {
      throw bad("invalid_sort", "'dir' must be asc or desc.");
    }
    String label = first(params, "label");
    String chart = first(params, "chart");
    if (chart != null && !chart.isBlank()) {
      try {
        chart = TensorRtRelease.parse(chart).toString();
      } catch (RuntimeException e) {
        throw bad("invalid_release", "'chart' must be a TensorRT release like 8.6.");
      }
    }
    return new CompareQuery(models, releases, precisions, maxError, sort, "desc".equals(dir),
        label == null || label.isBlank() ? null : label, "label".equals(first(params, "group")),
        chart == null || chart.isBlank() ? null : chart);
  }

  /** This query as a URL query string (without {@code ?}), with the sort replaced: for links and exports. */
  String toQueryString(String sortKey, boolean desc) {
    StringBuilder q = new StringBuilder("models=").append(String.join(",", models));
    if (!releases.isEmpty()) {
      q.append("&trt=").append(String.join(",", releases));
    }
    q.append("&precision=").append(String.join(",", precisions.stream().map(Precision::wireName).toList()));
    if (maxError != null) {
      q.append("&maxError=").append(maxError);
    }
    if (sortKey != null) {
      q.append("&sort=").append(enc(sortKey)).append(desc ? "&dir=desc" : "");
    }
    if (label != null) {
      q.append("&label=").append(enc(label));
    }
    if (groupByLabel) {
      q.append("&group=label");
    }
    if (chart != null) {
      q.append("&chart=").append(chart);
    }
    return q.toString();
  }

  String toQueryString() {
    return toQueryString(sort, descending);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static List<String> list(Map<String, List<String>> params, String name) {
    List<String> out = new ArrayList<>();
    for (String v : params.getOrDefault(name, List.of())) {
      for (String part : v.split(",")) {
        String t = part.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return out;
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "…" : s;
  }

  static UserFacingException bad(String code, String detail) {
    return new UserFacingException(Kind.BAD_REQUEST, code, detail);
  }
}
