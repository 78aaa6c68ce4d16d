package dev.trtcompat.http.quantize;

import dev.trtcompat.fp16.Fp16Result;
import dev.trtcompat.html.Html;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.service.JobService;
import java.util.List;

/**
 * The model page's "Convert to FP16" section, placed after the quantization one, next to the matrix: where an FP16
 * model came from with its precision summary, the nodes kept in FP32 and why, and its accuracy against FP32; this
 * model's FP16 conversions (queued and running ones with their progress log, finished ones with the FP16 model's
 * link, download and the same result); and the form, whose fields and accuracy table are the quantization's.
 */
public final class Fp16Section extends ConversionSection<Fp16Conversion> {

  static final String ID = "fp16";

  /** Kept nodes listed in the table; the JSON has them all. */
  static final int KEPT_SHOWN = 20;

  Fp16Section(ModelStore store, JobService jobs) {
    super(store, jobs, Conversion.FP16, "Convert to FP16", "fp16-conversion", "FP16 / mixed-precision conversion",
        "FP16 model", "fp16");
  }

  @Override
  String provenance(Fp16Conversion c) {
    return "statistics from " + c.statistics();
  }

  /** The caveat, the precision summary, the nodes kept in FP32 with their reasons, and the accuracy table. */
  @Override
  void result(Html h, Fp16Conversion c) {
    if (c.caveat() != null) {
      h.element("p", c.caveat(), "class", "note timing-only");
    }
    h.element("p", c.fp16Nodes() + " node(s) in FP16, " + c.fp32Nodes() + " kept in FP32; " + c.weightsConverted()
        + " weight(s) stored in FP16, " + c.castsAdded() + " Cast(s) added at the boundaries", "class",
        "precision-summary");
    if (!c.keptFp32().isEmpty()) {
      h.open("table", "class", "data kept-fp32");
      h.element("caption", "Kept in FP32");
      h.open("thead").open("tr");
      List.of("node", "op", "reason").forEach(col -> h.element("th", col, "scope", "col"));
      h.close("tr").close("thead").open("tbody");
      for (Fp16Result.KeptNode k : c.keptFp32().subList(0, Math.min(KEPT_SHOWN, c.keptFp32().size()))) {
        h.open("tr", "data-node", k.node());
        h.element("th", k.node(), "scope", "row", "class", "node");
        h.element("td", k.op(), "class", "op");
        h.element("td", k.reason(), "class", "reason");
        h.close("tr");
      }
      h.close("tbody").close("table");
      if (c.keptFp32().size() > KEPT_SHOWN) {
        h.element("p", (c.keptFp32().size() - KEPT_SHOWN) + " more node(s) in the JSON ("
            + QuantizeRoutes.listUrl(Conversion.FP16, c.sourceModelId()) + ").", "class", "hint");
      }
    }
    QuantizeSection.accuracy(h, c.accuracy());
  }

  /** A plain multipart form: calibration files or a random sample count, nodes kept in FP32, box output, images. */
  @Override
  void form(Html h, StoredModel m) {
    h.open("form", "id", "fp16-form", "method", "post", "action", "/models/" + m.id() + "/fp16",
        "enctype", "multipart/form-data");
    h.element("p", "Nodes that reduce, normalise (Softmax, LayerNormalization, ...) or whose values pass FP16's"
        + " range on this data stay in FP32; the accuracy is measured against FP32 on held-out samples.", "class",
        "hint");
    QuantizeSection.calibrationFields(h, Conversion.FP16.randomCaveat);
    QuantizeSection.keepAndBoxFields(h);
    QuantizeSection.imageFields(h);
    h.element("button", "Convert to FP16", "type", "submit", "id", "fp16-submit");
    h.close("form");
  }
}
