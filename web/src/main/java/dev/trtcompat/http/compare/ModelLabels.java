package dev.trtcompat.http.compare;

import dev.trtcompat.errors.UserFacingException;
import dev.trtcompat.errors.UserFacingException.Kind;
import dev.trtcompat.html.Html;
import dev.trtcompat.http.ModelApi;
import dev.trtcompat.http.Responses;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.service.JobService;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Model family labels ({@code backbone=mobilenet_v3}): set with the upload's {@code label} field, edited on the model
 * page ({@code POST /models/{id}/label}) or by {@code PUT /api/v1/models/{id}/label}, kept in the model table, read
 * by the compare page to group and filter. A label is free text shown as text: at most {@value #MAX_CHARS}
 * characters, no control characters; empty clears it.
 */
public final class ModelLabels {

  public static final int MAX_CHARS = 200;
  /** Labels read from the database are reused this long: compare pages read one per model per request. */
  private static final long CACHE_NANOS = 2_000_000_000L;

  private record Cached(String label, long readNanos) {}

  private final ModelStore store;
  private final JobService jobs;
  private final Consumer<String> changed;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  /** @param changed told the model id after its label changed (drops cached pages) */
  public ModelLabels(ModelStore store, JobService jobs, Consumer<String> changed) {
    this.store = store;
    this.jobs = jobs;
    this.changed = changed;
  }

  /** {@code PUT /api/v1/models/{id}/label}'s answer. */
  record Labelled(String modelId, String label) {}

  /** A model's label, null when unset. */
  public String label(String modelId) {
    long now = System.nanoTime();
    Cached c = cache.get(modelId);
    if (c != null && now - c.readNanos() < CACHE_NANOS) {
      return c.label();
    }
    String label = jobs.models().label(modelId).orElse(null);
    if (cache.size() > 10_000) {
      cache.clear();
    }
    cache.put(modelId, new Cached(label, now));
    return label;
  }

  /** Sets the label an upload carried (its last {@code label} field), if any. */
  public void setFromUpload(StoredModel model, List<String> values) {
    if (!values.isEmpty()) {
      set(model, values.get(values.size() - 1));
    }
  }

  /** The model page's label section: the label as text and a form to change it. */
  public void render(Html h, StoredModel m) {
    String label = label(m.id());
    h.open("p");
    h.text("Label: ");
    if (label == null) {
      h.element("span", "none", "id", "model-label", "class", "hint");
    } else {
      h.element("code", label, "id", "model-label");
    }
    h.close("p");
    h.open("form", "id", "label-form", "method", "post", "action", "/models/" + m.id() + "/label");
    h.open("label", "class", "field").text("Family label (e.g. backbone=mobilenet_v3; empty clears) ");
    h.empty("input", "type", "text", "name", "label", "maxlength", Integer.toString(MAX_CHARS),
        "value", label == null ? "" : label);
    h.close("label");
    h.element("button", "Save label", "type", "submit", "id", "label-submit");
    h.close("form");
  }

  /** {@code POST /models/{id}/label}: the model page's label form; back to the page. */
  public void setForm(Context ctx) {
    StoredModel m = model(ctx.pathParam("id"));
    set(m, ctx.formParam("label"));
    ctx.redirect("/models/" + m.id() + "#label", HttpStatus.SEE_OTHER);
  }

  /** {@code PUT /api/v1/models/{id}/label} with {@code {"label": ...}}. */
  public void setJson(Context ctx) throws IOException {
    StoredModel m = model(ctx.pathParam("id"));
    com.fasterxml.jackson.databind.JsonNode body;
    try {
      body = Json.mapper().readTree(ctx.body().isBlank() ? "{}" : ctx.body());
    } catch (IOException e) {
      body = null;
    }
    if (body == null || !body.isObject() || !(body.path("label").isTextual() || body.path("label").isNull())) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_body",
          "The body must be {\"label\": \"backbone=mobilenet_v3\"} (null or \"\" clears it).");
    }
    String label = set(m, body.path("label").isNull() ? null : body.path("label").asText());
    Responses.json(ctx, 200, new Labelled(m.id(), label));
  }

  private String set(StoredModel m, String raw) {
    String label = validate(raw);
    jobs.registerModel(m.id(), m.fileName(), m.bytes());
    jobs.models().setLabel(m.id(), label);
    cache.remove(m.id());
    changed.accept(m.id());
    return label;
  }

  /** The label to store: trimmed, null when empty; BAD_REQUEST when too long or holding control characters. */
  static String validate(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String label = raw.strip();
    if (label.codePointCount(0, label.length()) > MAX_CHARS) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_label",
          "A label has at most " + MAX_CHARS + " characters.");
    }
    if (label.codePoints().anyMatch(Character::isISOControl)) {
      throw new UserFacingException(Kind.BAD_REQUEST, "invalid_label",
          "A label cannot hold control characters (tabs, line breaks).");
    }
    return label;
  }

  private StoredModel model(String id) {
    try {
      return store.find(id).orElseThrow(() -> ModelApi.notFound(id));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
