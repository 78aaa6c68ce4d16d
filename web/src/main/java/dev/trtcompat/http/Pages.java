package dev.trtcompat.http;

import dev.trtcompat.app.ByteSize;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.models.ModelEntry;
import dev.trtcompat.models.StoredModel;
import java.util.List;
import java.util.function.Consumer;

/** The server-rendered pages: the shared layout, the upload page, the model page and the error page. */
final class Pages {

  private Pages() {}

  /** A whole document: head with our stylesheet, a header, then {@code body}. */
  static String layout(String title, Consumer<Html> body) {
    Html h = new Html();
    h.trusted("<!DOCTYPE html>");
    h.open("html", "lang", "en");
    h.open("head");
    h.empty("meta", "charset", "utf-8");
    h.empty("meta", "name", "viewport", "content", "width=device-width, initial-scale=1");
    h.element("title", title + " · trt-compat");
    h.empty("link", "rel", "stylesheet", "href", Assets.PATH + "/style.css");
    h.close("head");
    h.open("body");
    h.open("header").open("a", "href", "/", "class", "brand").text("trt-compat").close("a");
    h.element("span", "Will this ONNX model convert to TensorRT?", "class", "tagline");
    h.close("header");
    h.open("main");
    body.accept(h);
    h.close("main");
    h.close("body").close("html");
    return h.toString();
  }

  /** {@code GET /}: the upload form (works without script; upload.js adds drag and drop and progress). */
  static String upload(long maxUploadBytes, List<ModelEntry> recent) {
    return layout("Upload a model", h -> {
      h.element("h1", "Upload an ONNX model");
      h.open("form", "id", "upload-form", "class", "upload", "method", "post", "action", "/models",
          "enctype", "multipart/form-data", "data-max-upload", Long.toString(maxUploadBytes),
          "data-api", WebServer.API + "/models");
      h.open("div", "id", "drop-zone", "class", "drop-zone");
      h.element("p", "Drop an .onnx file here (with its external-data files, if any), or choose:");
      h.open("label").text("Model ");
      h.empty("input", "type", "file", "id", "model-input", "name", UploadReceiver.MODEL_FIELD, "accept", ".onnx,application/octet-stream", "required", null);
      h.close("label");
      h.open("label").text("External-data files (optional) ");
      h.empty("input", "type", "file", "id", "external-input", "name", UploadReceiver.EXTERNAL_FIELD, "multiple", null);
      h.close("label");
      h.open("p", "class", "hint")
          .text("Up to " + ByteSize.human(maxUploadBytes) + " in all. Weights stay on this server; nothing is sent elsewhere.")
          .close("p");
      h.close("div");
      jobChoices(h);
      h.open("div", "class", "actions");
      h.element("button", "Upload and inspect", "type", "submit", "id", "upload-button");
      h.open("progress", "id", "upload-progress", "max", "100", "value", "0", "hidden", null).close("progress");
      h.element("output", "", "id", "upload-status", "aria-live", "polite");
      h.close("div");
      h.close("form");
      recentModels(h, recent);
      h.open("script", "src", Assets.PATH + "/upload.js", "defer", null).close("script");
    });
  }

  /**
   * The job to start with the upload: TensorRT releases that have a known container and the precisions, sent as
   * repeated {@code trt} and {@code precision} fields. Nothing ticked: the model is only inspected and checked.
   */
  private static void jobChoices(Html h) {
    h.open("fieldset", "id", "job-choices", "class", "job-choices");
    h.element("legend", "Also build with trtexec in TensorRT containers (optional)");
    h.open("p", "class", "choices");
    for (String release : TensorRtImageCatalog.builtIn().releases()) {
      h.open("label").empty("input", "type", "checkbox", "name", "trt", "value", release).text(" " + release).close("label");
    }
    h.close("p");
    h.open("p", "class", "choices");
    for (String precision : List.of("fp32", "fp16", "int8")) {
      h.open("label");
      if (precision.equals("fp32")) {
        h.empty("input", "type", "checkbox", "name", "precision", "value", precision, "checked", null);
      } else {
        h.empty("input", "type", "checkbox", "name", "precision", "value", precision);
      }
      h.text(" " + precision.toUpperCase(java.util.Locale.ROOT)).close("label");
    }
    h.close("p");
    h.element("p", "With no TensorRT release ticked, the model is inspected and checked against every release's parser "
        + "rules only; builds can be started later from the model page or the API.", "class", "hint");
    h.close("fieldset");
  }

  private static void recentModels(Html h, List<ModelEntry> recent) {
    if (recent.isEmpty()) {
      return;
    }
    h.open("section", "id", "recent");
    h.element("h2", "Recent models");
    h.open("table", "class", "data");
    h.open("thead").open("tr").element("th", "File").element("th", "Size").element("th", "Uploaded").element("th", "Id").close("tr").close("thead");
    h.open("tbody");
    for (ModelEntry e : recent) {
      h.open("tr");
      h.open("td").open("a", "href", "/models/" + e.id()).text(e.fileName()).close("a").close("td");
      h.element("td", ByteSize.human(e.bytes()), "class", "num");
      h.open("td").element("time", e.uploadedAt(), "datetime", e.uploadedAt()).close("td");
      h.element("td", e.id().substring(0, 12), "class", "mono");
      h.close("tr");
    }
    h.close("tbody").close("table");
    h.close("section");
  }

  /** {@code GET /models/{id}}: a header with the file's identity, then each section in order. */
  static String model(StoredModel m, List<ModelPageSection> sections) {
    return layout(m.fileName(), h -> {
      h.open("h1").text(m.fileName()).close("h1");
      h.open("p", "class", "ids");
      h.text(ByteSize.human(m.bytes()) + " · uploaded ");
      h.element("time", m.uploadedAt(), "datetime", m.uploadedAt());
      h.text(" · sha256 ").element("code", m.sha256());
      h.text(" · ").open("a", "href", WebServer.API + "/models/" + m.id()).text("JSON").close("a");
      h.close("p");
      h.open("nav", "class", "sections").open("ul");
      for (ModelPageSection s : sections) {
        h.open("li").open("a", "href", "#" + s.id()).text(s.title()).close("a").close("li");
      }
      h.close("ul").close("nav");
      for (ModelPageSection s : sections) {
        h.open("section", "id", s.id());
        h.element("h2", s.title());
        s.render(h, m);
        h.close("section");
      }
    });
  }

  static String error(int status, ApiError error) {
    return layout("Error " + status, h -> {
      h.element("h1", status == 404 ? "Not found" : "Something is wrong (" + status + ")");
      h.element("p", error.detail(), "class", "error", "data-error", error.error());
      h.open("p").open("a", "href", "/").text("Upload a model").close("a").close("p");
    });
  }
}
