package dev.trtcompat.http;

import dev.trtcompat.html.Html;
import dev.trtcompat.images.TensorRtImage;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.precision.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The "measure in containers" choices, shared by the upload form and the model page's form: one checkbox per
 * TensorRT release with a known container (and a disabled, unnamed one saying why for a release the catalog
 * marks as having no known tag), the precisions, and the ONNX Runtime reference. Field names are
 * what the upload receiver and {@code POST /models/{id}/jobs} read: {@code trt}, {@code precision},
 * {@code reference}.
 */
public final class JobFormFields {

  static final List<String> PRECISIONS = Precision.COLUMNS.stream().map(Precision::wireName).toList();

  private JobFormFields() {}

  /**
   * @param checkedReleases releases ticked by default (none on the upload form: measuring is opt-in)
   */
  public static void render(Html h, TensorRtImageCatalog images, List<String> checkedReleases) {
    h.open("fieldset", "class", "job-fields");
    h.element("legend", "Measure in TensorRT containers (optional)");
    h.open("div", "class", "choices releases");
    List<String> releases = new ArrayList<>(images.releases());
    images.gaps().forEach(g -> releases.add(g.release()));
    releases.sort(Comparator.comparing(
        (String v) -> Arrays.stream(v.split("\\.")).mapToInt(Integer::parseInt).toArray(),
        Arrays::compare));
    for (String release : releases) {
      TensorRtImage image = images.newestFor(release).orElse(null);
      if (image == null) {
        // Shown so every release is visible, but not measurable: no container tag is known for it.
        h.open("label", "class", "choice unavailable", "title", images.gapFor(release).orElseThrow().note());
        h.empty("input", "type", "checkbox", "disabled", null);
        h.text(" " + release + " (no known container)").close("label");
        continue;
      }
      h.open("label", "class", "choice", "title", "tensorrt:" + image.tag()
          + (image.cudaVersion().isEmpty() ? "" : ", CUDA " + image.cudaVersion()));
      if (checkedReleases.contains(release)) {
        h.empty("input", "type", "checkbox", "name", "trt", "value", release, "checked", null);
      } else {
        h.empty("input", "type", "checkbox", "name", "trt", "value", release);
      }
      h.text(" " + release).close("label");
    }
    h.close("div");
    h.open("div", "class", "choices precisions");
    for (String p : PRECISIONS) {
      if (p.equals("fp32")) {
        h.empty("input", "type", "checkbox", "id", "precision-" + p, "name", "precision", "value", p, "checked", null);
      } else {
        h.empty("input", "type", "checkbox", "id", "precision-" + p, "name", "precision", "value", p);
      }
      h.open("label", "for", "precision-" + p).text(p.toUpperCase(Locale.ROOT)).close("label");
    }
    h.close("div");
    // The hidden "off" comes first; a ticked box sends "on" after it, and the last value wins.
    h.empty("input", "type", "hidden", "name", "reference", "value", "off");
    h.open("label", "class", "choice");
    h.empty("input", "type", "checkbox", "name", "reference", "value", "on", "checked", null);
    h.text(" ONNX Runtime CPU reference run").close("label");
    h.open("label", "class", "field").text("Shapes for dynamic inputs ");
    h.empty("input", "type", "text", "name", "shapes", "maxlength", "2000", "placeholder", "x:1x3x224x224 or x:1x3x64x64/1x3x224x224/8x3x512x512, y:...");
    h.close("label");
    h.open("label", "class", "field").text("Timeout per cell, seconds ");
    h.empty("input", "type", "number", "name", "timeout", "min", "1", "max", "21600", "value", "1800");
    h.close("label");
    h.element("p", "Cells the static check rules out are skipped; retry them with \"Run anyway\". Engines are "
        + "built on this server's Docker engine and GPU.", "class", "hint");
    h.close("fieldset");
  }
}
