package dev.trtcompat.http;

import dev.trtcompat.html.Html;
import dev.trtcompat.images.TensorRtImageCatalog;
import dev.trtcompat.models.ModelEntry;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.units.ByteSize;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** The server-rendered pages: the shared layout, the upload page, the model page and the error page. */
public final class Pages {

  private Pages() {}

  /** A whole document: head with our stylesheet, a header, then {@code body}. */
  public static String layout(String title, Consumer<Html> body) {
    return layout(title, h -> { }, body);
  }

  /** A whole document with more in its head ({@code head}, written after the stylesheet link). */
  static String layout(String title, Consumer<Html> head, Consumer<Html> body) {
    Html h = new Html();
    h.trusted("<!DOCTYPE html>");
    h.open("html", "lang", "en");
    h.open("head");
    h.empty("meta", "charset", "utf-8");
    h.empty("meta", "name", "viewport", "content", "width=device-width, initial-scale=1");
    h.element("title", title + " · trt-compat");
    h.empty("link", "rel", "stylesheet", "href", Assets.PATH + "/style.css");
    head.accept(h);
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

  /** From this many bytes together upload.js sends the files through the resumable API, in chunks of this size. */
  static final long CHUNKED_FROM_BYTES = 256L << 20;

  static final long CHUNK_BYTES = 64L << 20;

  /** {@code GET /}: the upload form (works without script; upload.js adds drag and drop and progress). */
  static String upload(long maxUploadBytes, List<ModelEntry> recent) {
    return upload(maxUploadBytes, recent, "");
  }

  /** @param query the recent-models search, shown back in its box ("" for none) */
  static String upload(long maxUploadBytes, List<ModelEntry> recent, String query) {
    return layout("Upload a model", h -> {
      h.element("h1", "Upload an ONNX model");
      h.open("form", "id", "upload-form", "class", "upload", "method", "post", "action", "/models",
          "enctype", "multipart/form-data", "data-max-upload", Long.toString(maxUploadBytes),
          "data-api", WebServer.API + "/models", "data-chunked-from", Long.toString(CHUNKED_FROM_BYTES),
          "data-chunk", Long.toString(CHUNK_BYTES));
      h.open("div", "id", "drop-zone", "class", "drop-zone");
      h.element("p", "Drop an .onnx file here (with its external-data files, if any), or choose:");
      h.open("label").text("Model ");
      h.empty("input", "type", "file", "id", "model-input", "name", UploadReceiver.MODEL_FIELD, "accept", ".onnx,application/octet-stream", "required", null);
      h.close("label");
      h.open("label").text("External-data files (optional) ");
      h.empty("input", "type", "file", "id", "external-input", "name", UploadReceiver.EXTERNAL_FIELD, "multiple", null);
      h.close("label");
      h.open("label").text("Family label (optional, e.g. backbone=mobilenet_v3) ");
      h.empty("input", "type", "text", "id", "label-input", "name", "label", "maxlength", "200");
      h.close("label");
      h.open("p", "class", "hint")
          .text("Up to " + ByteSize.human(maxUploadBytes) + " in all. Weights stay on this server; nothing is sent elsewhere.")
          .close("p");
      h.close("div");
      JobFormFields.render(h, TensorRtImageCatalog.builtIn(), List.of());
      h.open("div", "class", "actions");
      h.element("button", "Upload and inspect", "type", "submit", "id", "upload-button");
      h.open("progress", "id", "upload-progress", "max", "100", "value", "0", "hidden", null).close("progress");
      h.element("output", "", "id", "upload-status", "aria-live", "polite");
      h.close("div");
      h.close("form");
      recentModels(h, recent, query);
      h.open("script", "src", Assets.PATH + "/upload.js", "defer", null).close("script");
    });
  }

  private static void recentModels(Html h, List<ModelEntry> recent, String query) {
    if (recent.isEmpty() && query.isEmpty()) {
      return;
    }
    h.open("section", "id", "recent");
    h.element("h2", "Recent models");
    h.open("form", "id", "search-form", "method", "get", "action", "/", "role", "search");
    h.open("label").text("Search by name or SHA-256 ");
    h.empty("input", "type", "search", "name", "q", "value", query, "maxlength", "200");
    h.close("label");
    h.element("button", "Search", "type", "submit");
    h.close("form");
    if (recent.isEmpty()) {
      h.element("p", "No model matches.", "class", "hint");
      h.close("section");
      return;
    }
    // Ticked rows open the comparison (GET /compare?models=a&models=b...): a plain form, works without script.
    h.open("form", "id", "compare-select", "method", "get", "action", "/compare");
    h.open("table", "class", "data");
    h.open("thead").open("tr").element("th", "Compare").element("th", "File").element("th", "Size").element("th", "Uploaded").element("th", "Id").close("tr").close("thead");
    h.open("tbody");
    for (ModelEntry e : recent) {
      h.open("tr");
      h.open("td").empty("input", "type", "checkbox", "class", "compare-pick", "name", "models", "value", e.id(),
          "aria-label", "compare " + e.fileName()).close("td");
      h.open("td").open("a", "href", "/models/" + e.id()).text(e.fileName()).close("a").close("td");
      h.element("td", ByteSize.human(e.bytes()), "class", "num");
      h.open("td").element("time", e.uploadedAt(), "datetime", e.uploadedAt()).close("td");
      h.element("td", e.id().substring(0, 12), "class", "mono");
      h.close("tr");
    }
    h.close("tbody").close("table");
    h.element("button", "Compare selected (2 to 20)", "type", "submit", "id", "compare-button");
    h.close("form");
    h.close("section");
  }

  /** {@code GET /models/{id}}: a header with the file's identity, then each section in order. */
  static String model(StoredModel m, List<ModelPageSection> sections) {
    return model(m, sections, Map.of(), true);
  }

  /** Seconds between a page's reloads while a section still waits for the analysis and script is off. */
  static final int ANALYSING_REFRESH_SECONDS = 3;

  /**
   * The model page with the request's query parameters, for sections that take one ({@code ?gpu=sm_89}).
   *
   * @param analysed false while the model's analysis is still being computed: the sections that show it are
   *     placeholders ({@code data-analysing}) which model.js fills in when it is done, or, without script, the page
   *     reloads itself
   */
  static String model(StoredModel m, List<ModelPageSection> sections, Map<String, List<String>> query,
      boolean analysed) {
    return layout(m.fileName(), head -> {
      if (!analysed) {
        head.open("noscript").empty("meta", "http-equiv", "refresh", "content",
            Integer.toString(ANALYSING_REFRESH_SECONDS)).close("noscript");
      }
    }, h -> {
      h.open("h1").text(m.fileName()).close("h1");
      h.open("p", "class", "ids", "data-model-id", m.id());
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
        if (!analysed && s.needsAnalysis()) {
          h.open("section", "id", s.id(), "data-analysing", "true");
          h.element("h2", s.title());
          h.element("p", "Analysing the model (" + m.summary().nodeCount() + " nodes) against every TensorRT "
              + "release… this section fills in when the static check is done.", "class", "hint analysing");
          h.close("section");
          continue;
        }
        h.open("section", "id", s.id());
        h.element("h2", s.title());
        s.render(h, m, query);
        h.close("section");
      }
      // Live matrix (server-sent events) and the analysing sections filled in; the page is complete without it.
      h.open("script", "src", Assets.PATH + "/model.js", "defer", null).close("script");
    });
  }

  /** {@code GET /login}: the token form; {@code problem} is shown above it when the last try failed. */
  static String login(String next, String problem) {
    return layout("Log in", h -> {
      h.element("h1", "Log in");
      h.element("p", "This trt-compat service needs an API token. Paste the secret the operator gave you; "
          + "this browser then stays logged in for " + Access.SESSION_LIFETIME.toHours() + " hours.");
      if (problem != null) {
        h.element("p", problem, "class", "error", "data-error", "invalid_token");
      }
      h.open("form", "id", "login-form", "method", "post", "action", Access.LOGIN);
      h.empty("input", "type", "hidden", "name", "next", "value", next);
      h.open("label").text("API token ");
      h.empty("input", "type", "password", "id", "token-input", "name", "token", "autocomplete", "current-password", "required", null);
      h.close("label");
      h.element("button", "Log in", "type", "submit");
      h.close("form");
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
