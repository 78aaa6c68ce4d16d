package dev.trtcompat.http.quantize;

import dev.trtcompat.html.Html;
import dev.trtcompat.matrix.MatrixReport;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.quantize.AccuracySummary;
import dev.trtcompat.quantize.OutputAccuracy;
import dev.trtcompat.quantize.RangeMethod;
import dev.trtcompat.quantize.SensitivityAnalysis;
import dev.trtcompat.quantize.SensitivityResult;
import dev.trtcompat.quantize.SyntheticCalibrationSet;
import dev.trtcompat.service.JobService;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The model page's "Quantize to INT8" section, placed after the matrix: where a Q/DQ model came from with its
 * accuracy against FP32 (and the sensitivity ranking when one chose its FP32 layers), this model's quantizations
 * (queued and running ones with their progress log, finished ones with the Q/DQ model's link, download, accuracy and
 * sensitivity ranking), and the form with the calibration upload and the sensitivity options. Plain HTML: the
 * form works without script; {@code model.js} streams the progress lines and re-renders {@code div#quantize-body}.
 */
public final class QuantizeSection extends ConversionSection<Quantization> {

  static final String ID = "quantize";

  QuantizeSection(ModelStore store, JobService jobs) {
    super(store, jobs, Conversion.INT8, "Quantize to INT8", "quantization", "INT8 Q/DQ quantization", "Q/DQ model",
        "quantized");
  }

  @Override
  String provenance(Quantization q) {
    return q.method() + ", " + q.calibration();
  }

  @Override
  String originNote(Quantization q) {
    return ". Its INT8 cells build it as \"" + MatrixReport.Cell.int8Label(false, q.synthetic()) + "\"";
  }

  /** The caveat, what was quantized, the accuracy table and the sensitivity ranking. */
  @Override
  void result(Html h, Quantization q) {
    if (q.caveat() != null) {
      h.element("p", q.caveat(), "class", "note timing-only");
    }
    h.element("p", q.activationsQuantized() + " activation(s) per tensor and " + q.weightsQuantized()
        + " weight(s) per channel quantized, opset " + q.opset()
        + (q.excludedNodes().isEmpty() ? "" : "; kept in FP32: " + String.join(", ", q.excludedNodes())), "class",
        "quantized-counts");
    accuracy(h, q.accuracy());
    if (q.sensitivity() != null) {
      sensitivity(h, q.sensitivity(), q.sourceModelId());
    }
    q.notes().forEach(n -> h.element("p", n, "class", "note"));
  }

  /** Layers listed in the ranking table; the JSON has them all. */
  static final int LAYERS_SHOWN = 20;

  /**
   * The sensitivity analysis: the recommended FP32 set with the error measured on the written model, then the
   * ranking (node, op, error; leave-one-out adds the error each removes); a longer ranking than the page shows is
   * in the source model's listing.
   */
  static void sensitivity(Html h, SensitivityResult s, String sourceModelId) {
    boolean leaveOneOut = s.mode() == SensitivityAnalysis.Mode.LEAVE_ONE_OUT;
    h.open("div", "class", "sensitivity", "data-mode", s.mode().wireName());
    h.element("p", String.format(Locale.ROOT, "Sensitivity analysis, %s: %d of %d layer(s) ranked in %.1f s (budget"
        + " %.0f s)%s. Fully quantized, the error is %.4g.", s.mode().wireName(), s.layersRanked(), s.layers(),
        s.seconds(), s.budgetSeconds(), s.complete() ? "" : "; " + s.stoppedBy(), s.baselineError()),
        "class", "sensitivity-summary");
    if (!s.budgetCuts().isEmpty()) {
      h.element("p", "Cut by the time budget: " + String.join("; ", s.budgetCuts()) + ".", "class", "budget-cuts");
    }
    h.open("p", "class", "recommended", "data-target-met", Boolean.toString(s.targetMet()));
    h.text("Recommended in FP32: " + (s.keptFp32().isEmpty() ? "no layer" : String.join(", ", s.keptFp32()))
        + ". Measured error of this model: ").element("span", String.format(Locale.ROOT, "%.4g", s.error()), "class",
        "measured-error").text(String.format(Locale.ROOT, " (target %s: %s).", s.targetError(),
        s.targetMet() ? "met" : "not met"));
    h.close("p");
    h.open("table", "class", "data sensitivity-ranking");
    h.element("caption", "Error: " + s.metric() + (leaveOneOut
        ? "; each row is the INT8 model with that layer kept in FP32, ranked by the error it removes"
        : "; each row is the model with only that layer in INT8, ranked by its error"));
    h.open("thead").open("tr");
    List<String> cols = new ArrayList<>(List.of("rank", "node", "op", "error"));
    if (leaveOneOut) {
      cols.add("error removed");
    }
    cols.add("kept in FP32");
    cols.forEach(c -> h.element("th", c, "scope", "col"));
    h.close("tr").close("thead").open("tbody");
    for (int i = 0; i < Math.min(LAYERS_SHOWN, s.ranking().size()); i++) {
      SensitivityResult.LayerSensitivity l = s.ranking().get(i);
      boolean kept = s.keptFp32().contains(l.node());
      h.open("tr", "data-node", l.node(), "data-kept", Boolean.toString(kept));
      h.element("td", Integer.toString(i + 1), "class", "rank");
      h.element("th", l.node(), "scope", "row", "class", "node");
      h.element("td", l.op(), "class", "op");
      h.element("td", String.format(Locale.ROOT, "%.4g", l.error()), "class", "error");
      if (leaveOneOut) {
        h.element("td", number(l.errorRemoved(), "%.4g"), "class", "error-removed");
      }
      h.element("td", kept ? "yes" : "", "class", "kept");
      h.close("tr");
    }
    h.close("tbody").close("table");
    if (s.ranking().size() > LAYERS_SHOWN) {
      h.element("p", (s.ranking().size() - LAYERS_SHOWN) + " more layer(s) in the JSON ("
          + QuantizeRoutes.listUrl(Conversion.INT8, sourceModelId) + ").", "class", "hint");
    }
    h.close("div");
  }

  /** Per output: max abs/rel error, cosine, top-1/top-5 agreement, box IoU, against FP32 on ONNX Runtime. */
  static void accuracy(Html h, AccuracySummary a) {
    h.open("table", "class", "accuracy");
    h.element("caption", "Accuracy against FP32 on " + a.runtime() + ": " + a.data()
        + (a.heldOut() ? "" : " (not held out)"));
    h.open("thead").open("tr");
    for (String col : List.of("output", "max abs error", "max rel error", "cosine min", "cosine mean", "top-1",
        "top-5", "mean IoU", "IoU ≥ 0.5")) {
      h.element("th", col, "scope", "col");
    }
    h.close("tr").close("thead").open("tbody");
    for (OutputAccuracy o : a.outputs()) {
      h.open("tr", "data-output", o.name());
      h.element("th", o.name(), "scope", "row");
      h.element("td", number(o.maxAbsError(), "%.4g"), "class", "max-abs");
      h.element("td", number(o.maxRelError(), "%.4g"), "class", "max-rel");
      h.element("td", number(o.cosineMin(), "%.6f"), "class", "cosine-min");
      h.element("td", number(o.cosineMean(), "%.6f"), "class", "cosine-mean");
      h.element("td", percent(o.top1Agreement()), "class", "top1");
      h.element("td", percent(o.top5Agreement()), "class", "top5");
      h.element("td", number(o.meanIou(), "%.4f"), "class", "iou");
      h.element("td", percent(o.iouAtLeastHalf()), "class", "iou-half");
      h.close("tr");
    }
    h.close("tbody").close("table");
  }

  static String number(Double v, String format) {
    return v == null ? "–" : String.format(Locale.ROOT, format, v);
  }

  private static String percent(Double v) {
    return v == null ? "–" : String.format(Locale.ROOT, "%.1f%%", v * 100);
  }

  /** A plain multipart form: calibration files or a random sample count, the method, exclusions, preprocessing. */
  @Override
  void form(Html h, StoredModel m) {
    h.open("form", "id", "quantize-form", "method", "post", "action", "/models/" + m.id() + "/quantize",
        "enctype", "multipart/form-data");
    calibrationFields(h, Conversion.INT8.randomCaveat);
    h.open("p").open("label").text("Method ").open("select", "name", "method");
    h.element("option", "entropy (TensorRT's calibrator)", "value", "entropy", "selected", "selected");
    h.element("option", "percentile", "value", "percentile");
    h.element("option", "minmax", "value", "minmax");
    h.close("select").close("label").text(" ").open("label").text("percentile ")
        .empty("input", "type", "text", "name", "percentile", "value", Double.toString(RangeMethod.DEFAULT_PERCENTILE),
            "size", "6")
        .close("label").close("p");
    keepAndBoxFields(h);
    h.open("fieldset", "class", "sensitivity-options").element("legend", "Sensitivity analysis: which layers to keep"
        + " in FP32");
    h.open("label").text("ranking ").open("select", "name", "sensitivity");
    h.element("option", "none (quantize every layer)", "value", "none", "selected", "selected");
    h.element("option", "one at a time (each layer alone in INT8)", "value", "one-at-a-time");
    h.element("option", "leave one out (each layer alone in FP32)", "value", "leave-one-out");
    h.close("select").close("label").text(" ");
    field(h, "targetError", "target error (1 - cosine)", Double.toString(SensitivityAnalysis.DEFAULT_TARGET_ERROR));
    field(h, "budget", "budget", SensitivityAnalysis.DEFAULT_BUDGET.toSeconds() + "s");
    h.close("fieldset");
    imageFields(h);
    h.element("button", "Quantize to INT8", "type", "submit", "id", "quantize-submit");
    h.close("form");
  }

  /** The form's data: calibration files, or a count of random samples ({@code randomCaveat} says what they cost). */
  static void calibrationFields(Html h, String randomCaveat) {
    h.open("p").open("label").text("Calibration files: .npy/.npz with arrays named after the inputs, or JPEG/PNG "
        + "images ").empty("input", "type", "file", "name", QuantizeOrder.CALIB_FIELD, "multiple", "multiple",
        "accept", ".npy,.npz,.jpg,.jpeg,.png").close("label").close("p");
    h.open("p").open("label").text("or random samples (" + randomCaveat + ") ")
        .empty("input", "type", "number", "name", "synthetic", "min", "1", "max",
            Integer.toString(SyntheticCalibrationSet.MAX_SAMPLES))
        .close("label").close("p");
  }

  /** The nodes kept in FP32 and the detection output compared by IoU. */
  static void keepAndBoxFields(Html h) {
    h.open("p").open("label").text("Keep in FP32 (node names or operator types, comma-separated) ")
        .empty("input", "type", "text", "name", "exclude").close("label").close("p");
    h.open("p").open("label").text("Detection box output (for IoU agreement) ")
        .empty("input", "type", "text", "name", "boxes").close("label").close("p");
  }

  /** How uploaded images become the input tensor. */
  static void imageFields(Html h) {
    h.open("fieldset").element("legend", "Images: how a picture becomes the input");
    field(h, "size", "size WxH (empty: the model's)", "");
    h.open("label").text("layout ").open("select", "name", "layout");
    h.element("option", "NCHW", "value", "NCHW", "selected", "selected");
    h.element("option", "NHWC", "value", "NHWC");
    h.close("select").close("label").text(" ");
    field(h, "scale", "scale", "1/255");
    field(h, "mean", "mean R,G,B", "0,0,0");
    field(h, "std", "std R,G,B", "1,1,1");
    h.close("fieldset");
  }

  private static void field(Html h, String name, String label, String value) {
    h.open("label").text(label + " ").empty("input", "type", "text", "name", name, "value", value, "size", "12")
        .close("label").text(" ");
  }
}
