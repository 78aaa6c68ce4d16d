package dev.trtcompat.http.quantize;

import dev.trtcompat.fp16.Fp16Converter;
import dev.trtcompat.http.upload.FormParts;
import dev.trtcompat.jobs.CellKind;
import dev.trtcompat.jobs.CellSpec;
import dev.trtcompat.quantize.SyntheticCalibrationSet;
import java.util.List;
import java.util.Set;

/**
 * The service's two precision conversions of a stored model, INT8 Q/DQ quantization and FP16 / mixed precision: the
 * one set of routes, upload, job cell and listing serves both, and this is all that differs between them.
 *
 * @param ordersFolder the folder under the source model's {@code derived/} where an order's files wait for its cell
 * @param link the file in the converted model's {@code derived/} folder that links it back to its source
 * @param suffix what replaces {@code .onnx} in the converted model's file name
 * @param fromKey the listing's key for where a converted model came from
 * @param listPath the listing's path under {@code /api/v1/models/{id}/} (routed by {@code WebServer})
 * @param listKey the listing's key for a model's conversions of this kind
 * @param result what a finished cell records (its result JSON and the link)
 * @param sectionId the model page section that shows them
 * @param fields the text fields a request may carry besides its {@code calib} files
 * @param randomCaveat what random samples cost this conversion, said wherever they are offered or used
 */
enum Conversion {
  INT8(CellKind.QUANTIZE, "quantize", "quantized-from.json", ".int8.onnx", "quantizedFrom", "quantizations",
      "quantizations", Quantization.class, QuantizeSection.ID, QuantizeOrder.FIELDS, SyntheticCalibrationSet.TIMING_ONLY),
  FP16(CellKind.FP16, "fp16", "fp16-from.json", ".fp16.onnx", "convertedFrom", "fp16", "conversions",
      Fp16Conversion.class,
      Fp16Section.ID, QuantizeOrder.FP16_FIELDS, Fp16Converter.TIMING_ONLY);

  final CellKind kind;
  final String ordersFolder;
  final String link;
  final String suffix;
  final String fromKey;
  final String listPath;
  final String listKey;
  final Class<?> result;
  final String sectionId;
  final FormParts.Spec form;
  final String randomCaveat;

  Conversion(CellKind kind, String ordersFolder, String link, String suffix, String fromKey, String listPath,
      String listKey,
      Class<?> result, String sectionId, List<String> fields, String randomCaveat) {
    this.kind = kind;
    this.ordersFolder = ordersFolder;
    this.link = link;
    this.suffix = suffix;
    this.fromKey = fromKey;
    this.listPath = listPath;
    this.listKey = listKey;
    this.result = result;
    this.sectionId = sectionId;
    this.randomCaveat = randomCaveat;
    // Parts per request: a folder of calibration images is large, but not unbounded.
    this.form = new FormParts.Spec("the calibration upload", Set.of(QuantizeOrder.CALIB_FIELD), Set.copyOf(fields),
        100_000, "send 'calib' files and the fields " + String.join(", ", fields));
  }

  CellSpec cell() {
    return new CellSpec(kind, null, null);
  }

  /** The conversion a claimed cell runs. */
  static Conversion of(CellKind kind) {
    for (Conversion c : values()) {
      if (c.kind == kind) {
        return c;
      }
    }
    throw new IllegalArgumentException("not a precision conversion cell: " + kind);
  }
}
