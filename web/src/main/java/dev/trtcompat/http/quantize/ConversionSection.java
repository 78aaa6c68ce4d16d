package dev.trtcompat.http.quantize;

import dev.trtcompat.html.Html;
import dev.trtcompat.http.ModelPageSection;
import dev.trtcompat.jobs.Cell;
import dev.trtcompat.jobs.CellState;
import dev.trtcompat.jobs.Job;
import dev.trtcompat.json.Json;
import dev.trtcompat.models.ModelStore;
import dev.trtcompat.models.StoredModel;
import dev.trtcompat.service.JobService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The model page section of one precision conversion, INT8 ({@link QuantizeSection}) or FP16 ({@link Fp16Section}):
 * where a converted model came from, this model's conversions of that kind (queued and running ones with their
 * progress log, finished ones with their result, failed ones with the reason), then the form. Plain HTML: the form
 * works without script; {@code model.js} streams the progress lines and re-renders {@code div#ID-body}.
 *
 * @param <T> what a finished cell records ({@link Conversion#result})
 */
abstract class ConversionSection<T extends ConvertedModel> implements ModelPageSection {

  private final ModelStore store;
  private final JobService jobs;
  private final Conversion conversion;
  private final Class<T> result;
  private final String title;
  private final String itemClass;
  private final String what;
  private final String modelLabel;
  private final String classPrefix;

  /**
   * @param itemClass the class of each {@code li}; the list's is its plural
   * @param what the conversion in words, as in "This is the WHAT of SOURCE"
   * @param modelLabel the converted model in words, before its link in the source's list
   * @param classPrefix of the classes of the origin's {@code div} (-from), the model link (-model) and the download
   *     link (-download)
   */
  @SuppressWarnings("unchecked") // the conversion's result class is this section's T
  ConversionSection(ModelStore store, JobService jobs, Conversion conversion, String title, String itemClass,
      String what, String modelLabel, String classPrefix) {
    this.store = store;
    this.jobs = jobs;
    this.conversion = conversion;
    this.result = (Class<T>) conversion.result;
    this.title = title;
    this.itemClass = itemClass;
    this.what = what;
    this.modelLabel = modelLabel;
    this.classPrefix = classPrefix;
  }

  @Override
  public String id() {
    return conversion.sectionId;
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public void render(Html h, StoredModel m) {
    h.open("div", "id", conversion.sectionId + "-body", "data-model-id", m.id());
    Optional<T> from;
    try {
      from = QuantizeRuns.link(store, conversion, m.id());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    from.ifPresent(r -> origin(h, r));
    List<Job> list = jobs.jobsOfOneKind(m.id(), conversion.kind);
    if (!list.isEmpty()) {
      h.open("ul", "class", itemClass + "s");
      for (Job job : list) {
        item(h, job.cells().get(0));
      }
      h.close("ul");
    }
    h.close("div");
    form(h, m);
  }

  /** On a converted model's page: where it came from and its result. */
  private void origin(Html h, T r) {
    h.open("div", "class", classPrefix + "-from");
    h.open("p").text("This is the " + what + " of ")
        .element("a", r.sourceFileName(), "href", "/models/" + r.sourceModelId(), "class", "source-model")
        .text(" (" + provenance(r) + ")" + originNote(r) + ".").close("p");
    result(h, r);
    h.close("div");
  }

  /** A finished conversion in the source's list: the converted model's link and download, and the result. */
  private void finished(Html h, T r) {
    h.open("p").text(modelLabel + ": ")
        .element("a", r.fileName(), "href", r.pageUrl(), "class", classPrefix + "-model")
        .text(" ").element("a", "download", "href", r.downloadUrl(), "class", classPrefix + "-download")
        .text(" (" + provenance(r) + ")").close("p");
    result(h, r);
  }

  /** What the converted model was made with (method, data), shown in brackets after its links. */
  abstract String provenance(T r);

  /** A sentence after the origin's provenance, starting with ". " ({@code ""}: none). */
  String originNote(T r) {
    return "";
  }

  /** The conversion's result: its caveat, what was converted, the accuracy. */
  abstract void result(Html h, T r);

  abstract void form(Html h, StoredModel m);

  /**
   * One conversion in the list: its state; while it is unfinished the log that model.js streams into, once it
   * succeeded its result, when it failed the reason; then the log's link.
   */
  private void item(Html h, Cell c) {
    String state = c.state().name().toLowerCase(Locale.ROOT);
    h.open("li", "class", itemClass, "data-cell-id", Long.toString(c.id()), "data-state", state);
    h.element("span", state, "class", "badge state-" + state).text(" started " + c.createdAt() + " ");
    String logUrl = QuantizeRoutes.API + "/cells/" + c.id() + "/log";
    if (c.state().unfinished()) {
      // model.js fills this with the log so far, then appends each progress line as it arrives.
      h.element("pre", "", "class", "cell-log", "data-cell-id", Long.toString(c.id()), "data-log-url", logUrl);
    } else if (c.state() == CellState.SUCCEEDED && c.resultJson() != null) {
      try {
        finished(h, Json.mapper().readValue(c.resultJson(), result));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else if (c.reason() != null) {
      h.element("p", c.reason(), "class", "reason");
    }
    // Without script the log link is the progress display: it shows the lines written so far.
    h.element("a", "log", "href", logUrl, "class", "log-link");
    h.close("li");
  }
}
